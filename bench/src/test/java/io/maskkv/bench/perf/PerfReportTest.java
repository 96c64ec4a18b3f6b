package io.maskkv.bench.perf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PerfReportTest {
  private static final long MIB = 1L << 20;

  private static RunResult run(String method, int len, long peakMib, long baseMib, double mean, double median) {
    return new RunResult(method, len, 256, 32, 32, 1, mean, median, 1, 0, peakMib * MIB, false, baseMib * MIB);
  }

  private static String fits(List<RunResult> results) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    new PerfReport(results).printFits(new PrintStream(bytes, true, StandardCharsets.UTF_8), "maskkv");
    return bytes.toString(StandardCharsets.UTF_8);
  }

  @Test
  void longestPromptWithinFullsMemoryUsesMeasuredPointsOnly() {
    List<RunResult> results = List.of(
        run("full", 1024, 340, 300, 3, 3), run("full", 2048, 380, 300, 4, 4), run("full", 4096, 420, 300, 5, 5),
        run("maskkv", 1024, 330, 300, 2, 2), run("maskkv", 8192, 360, 300, 2, 2),
        run("maskkv", 32768, 380, 300, 2, 2), run("maskkv", 65536, 381, 300, 2, 2));
    String[] lines = fits(results).split("\n");
    // full's 1k peak (340 MiB) holds maskkv up to 1k; its 2k peak (380 MiB) holds 32k but not 64k (381 MiB)
    String at1k = lines[3].trim();
    String at2k = lines[4].trim();
    assertTrue(at1k.startsWith("1024") && at1k.contains(" 1024 ") && at1k.contains(" 1x"), at1k);
    assertTrue(at2k.startsWith("2048") && at2k.contains(" 32768 ") && at2k.contains(" 16x"), at2k);
    assertTrue(!at2k.contains("65536"), at2k);
    // full's 4k holds every maskkv run: the longest run is a lower bound, and said so
    String at4k = lines[5].trim();
    assertTrue(at4k.contains("65536+") && at4k.contains(">=16x"), at4k);
  }

  @Test
  void nothingFitsIsSaidSo() {
    String out = fits(List.of(run("full", 1024, 340, 300, 3, 3), run("maskkv", 1024, 341, 300, 2, 2)));
    assertTrue(out.contains(" none "), out);
  }

  @Test
  void csvRoundTripsAndRejectsForeignFiles(@TempDir Path dir) throws Exception {
    List<RunResult> results = List.of(run("full", 1024, 340, 300, 3.5, 3.25), run("maskkv", 1024, 330, 290, 2, 1.5));
    Path csv = dir.resolve("bench.csv");
    new PerfReport(results).writeCsv(csv);
    assertEquals(results, RunResult.readCsv(csv));
    Path other = Files.writeString(dir.resolve("other.csv"), "a,b,c\n1,2,3\n");
    assertThrows(IllegalArgumentException.class, () -> RunResult.readCsv(other));
  }
}
