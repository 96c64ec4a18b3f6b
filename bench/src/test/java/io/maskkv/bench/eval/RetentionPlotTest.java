package io.maskkv.bench.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RetentionPlotTest {
  private static EvalRow row(String task, String method, int budget, double acc, double retention) {
    return new EvalRow(task, method, budget, acc, retention, 40, 1, 1, 1000, "em");
  }

  private static BytesRow bytes(String task, String method, String target, double retention) {
    return new BytesRow(task, method, target, 100, 5, retention, retention, 40, 2000, 100, 0, 80, "em");
  }

  @Test
  void averagesEachMethodOverFamiliesAtItsNominalShareInBothComparisons(@TempDir Path dir) throws Exception {
    Path a = dir.resolve("needle.csv");
    Path b = dir.resolve("multikey.csv");
    Path c = dir.resolve("count.csv");
    Path ab = dir.resolve("needle-bytes.csv");
    ResultCsv.write(a, List.of(row("needle", "full", 0, 1.0, 1.0), row("needle", "maskkv", 12, 1.0, 1.0),
        row("needle", "snapkv", 12, 0.2, 0.2), row("needle", "snapkv", 51, 0.5, 0.5)));
    ResultCsv.write(b, List.of(row("multikey", "full", 0, 0.5, 1.0), row("multikey", "maskkv", 12, 0.5, 1.0),
        row("multikey", "snapkv", 12, 0.0, 0.0), row("multikey", "snapkv", 51, 0.25, 0.5)));
    // a family the full cache never answers has no retention: it must not drag the means
    ResultCsv.write(c, List.of(row("count", "full", 0, 0.0, Double.NaN), row("count", "snapkv", 12, 0, Double.NaN)));
    BytesTable.write(ab, List.of(bytes("needle", "full", "", 1.0), bytes("needle", "snapkv", "2.5%", 0.3)));

    List<RetentionPlot.Point> points = RetentionPlot.points(List.of(a, b, c, ab), 512, List.of(1.0, 2.5, 5.0, 10.0));
    assertEquals(List.of(
        new RetentionPlot.Point("maskkv", false, 2.5, 100.0, 2),
        new RetentionPlot.Point("snapkv", false, 2.5, 10.0, 2),
        new RetentionPlot.Point("snapkv", false, 10.0, 50.0, 2),
        new RetentionPlot.Point("snapkv", true, 2.5, 30.0, 1)), points);
    // without nominal shares a budget sits at budget / length
    assertEquals(100.0 * 12 / 512, RetentionPlot.points(List.of(a), 512, List.of()).get(0).sharePercent(), 1e-12);

    String table = RetentionPlot.table(points);
    assertTrue(table.startsWith("| method | 2.5% | 10% |\n"), table);
    assertTrue(table.contains("| snapkv | 10.0 | 50.0 |") && table.contains("| snapkv, equal bytes | 30.0 | - |"),
        table);
    Path png = RetentionPlot.write(dir.resolve("out/retention.png"), "t", points);
    assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G'}, Arrays.copyOf(Files.readAllBytes(png), 4));
  }

  @Test
  void anAbsoluteByteTargetHasNoShareAndIsRefusedByName(@TempDir Path dir) throws Exception {
    Path ab = dir.resolve("x-bytes.csv");
    BytesTable.write(ab, List.of(bytes("needle", "snapkv", "24KiB", 0.3)));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> RetentionPlot.points(List.of(ab), 512, List.of(2.5)));
    assertTrue(e.getMessage().contains("'24KiB' is not a share"), e.getMessage());
  }
}
