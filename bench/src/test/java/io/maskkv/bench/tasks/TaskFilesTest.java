package io.maskkv.bench.tasks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.maskkv.bench.longbench.LongBenchReader;
import io.maskkv.bench.longbench.LongBenchRecord;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TaskFilesTest {
  @TempDir Path dir;

  @Test
  void writesAFileTheReaderReadsBackWithSeededIds() throws IOException {
    Path out = dir.resolve("needle-256.jsonl");
    TaskFiles.write(out, "needle", 4, 256, 7);
    List<LongBenchRecord> records = LongBenchReader.read(out);
    assertEquals(List.of("needle-7-0", "needle-7-1", "needle-7-2", "needle-7-3"),
        records.stream().map(LongBenchRecord::id).toList());
    assertEquals(TaskFiles.generate("needle", 4, 256, 7), records);
    assertNotEquals(records.get(0).context(), records.get(1).context());
  }

  @Test
  void recordIDependsOnTheSeedAndINotOnTheFileSize() {
    List<LongBenchRecord> three = TaskFiles.generate("vartrack", 3, 300, 11);
    List<LongBenchRecord> five = TaskFiles.generate("vartrack", 5, 300, 11);
    assertEquals(three, five.subList(0, 3));
    assertNotEquals(three, TaskFiles.generate("vartrack", 3, 300, 12));
  }

  @Test
  void unknownTaskIsRejectedWithTheKnownNames() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> TaskFiles.write(dir.resolve("x.jsonl"), "haystack", 1, 128, 0));
    assertEquals("unknown task 'haystack'; known tasks: needle, multikey, multivalue, vartrack, count, "
        + "vartrack-1hop, vartrack-2hop, vartrack-3hop, vartrack-path",
        e.getMessage());
  }
}
