package io.maskkv.bench.longbench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LongBenchWriterTest {
  @TempDir Path dir;

  @Test
  void writesLongBenchFieldOrderAndOmitsAbsentClasses() {
    LongBenchRecord r = new LongBenchRecord("needle-1-0", "the \"passkey\" is v3 .", "what ?", List.of("v3"), 6);
    assertEquals("{\"context\":\"the \\\"passkey\\\" is v3 .\",\"input\":\"what ?\",\"answers\":[\"v3\"],"
        + "\"length\":6,\"_id\":\"needle-1-0\"}", LongBenchWriter.toJsonLine(r));
  }

  @Test
  void writesClassesWhenTheRecordHasThem() {
    LongBenchRecord r = new LongBenchRecord("t", "c", "q", List.of("A"), 1, List.of("A", "B"));
    assertEquals("{\"context\":\"c\",\"input\":\"q\",\"answers\":[\"A\"],\"length\":1,\"_id\":\"t\","
        + "\"all_classes\":[\"A\",\"B\"]}", LongBenchWriter.toJsonLine(r));
  }

  @Test
  void whatIsWrittenReadsBackUnchanged() throws IOException {
    List<LongBenchRecord> records = List.of(
        new LongBenchRecord("a", "line one\nline two ü", "q?", List.of("x", "y"), 4),
        new LongBenchRecord("b", "", "", List.of(""), 0, List.of("p")));
    Path f = dir.resolve("sub/out.jsonl");
    LongBenchWriter.write(f, records);
    assertEquals(2, Files.readAllLines(f).size());
    assertEquals(records, LongBenchReader.read(f));
  }
}
