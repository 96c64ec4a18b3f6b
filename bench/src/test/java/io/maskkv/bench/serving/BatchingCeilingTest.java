package io.maskkv.bench.serving;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.maskkv.bench.BundledModel;
import io.maskkv.common.decode.GenerationOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BatchingCeilingTest {
  @Test
  void eachLevelRunsItsSessionsAndLandsInTheCsvAndPlot(@TempDir Path dir) throws Exception {
    GenerationOptions o = GenerationOptions.builder().lengths(4, 4, 4).cache("maskkv", 8).build();
    List<BatchingCeiling.Row> rows = new BatchingCeiling(BundledModel.path(), "needle", 64, o).run(List.of(1, 3, 1), 3, 1);

    assertEquals(List.of(1, 3, 1), rows.stream().map(BatchingCeiling.Row::concurrency).toList());
    for (BatchingCeiling.Row r : rows) {
      assertEquals(3, r.sessions());
      assertTrue(r.sessionsPerSecond() > 0 && r.msPerSession() > 0, r.toString());
    }
    BatchingCeiling.writeCsv(dir.resolve("ceiling.csv"), rows);
    List<String> lines = Files.readAllLines(dir.resolve("ceiling.csv"));
    assertEquals("concurrency,sessions,sessions_per_s,ms_per_session,vs_sequential,largest_batch", lines.get(0));
    assertEquals(4, lines.size());
    // the ratio is against the first sequential level, so that row reads exactly 1
    assertEquals("1.0000", lines.get(1).split(",")[4]);
    assertEquals(String.valueOf(rows.get(1).largestBatch()), lines.get(2).split(",")[5]);

    Path png = BatchingCeiling.writePlot(dir.resolve("plots/ceiling.png"), rows);
    byte[] head = Arrays.copyOf(Files.readAllBytes(png), 4);
    assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G'}, head);
  }
}
