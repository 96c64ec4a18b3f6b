package io.maskkv.bench.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.maskkv.bench.BundledModel;
import io.maskkv.bench.cli.BenchMain;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./maskkv load} end to end: a real embedded controller and worker on the bundled model, needle prompts over
 * gRPC at two concurrency levels over two embedded replicas; the answers are graded, the texts compared across levels,
 * CSV and plots written.
 */
class LoadCommandTest {
  @TempDir
  Path out;

  @Test
  void aSweepOverTwoLevelsGradesComparesAndWritesItsFiles() throws Exception {
    PrintStream stdout = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    int rc;
    try {
      System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
      rc = BenchMain.run("load", "--model", BundledModel.path().toString(), "--task", "needle", "--prompt-length", "256",
          "--prompts", "4", "--cache", "maskkv", "--budget", "16", "--gen-length", "2", "--concurrency", "1,4",
          "--sessions", "8", "--warmup", "1", "--embedded-workers", "2", "--out", out.toString());
    } finally {
      System.setOut(stdout);
    }
    String text = captured.toString(StandardCharsets.UTF_8);
    assertEquals(0, rc, text);
    assertTrue(text.contains("| c=1 | 8 | 8 | - |") && text.contains("| c=4 | 8 | 8 | - |"), text);
    assertTrue(text.contains("same text for the same prompt at every load level: yes (12 sessions compared, 0 differ)"), text);
    assertTrue(text.contains("| 8/8 |"), "every needle answered: " + text);
    List<String> csv = Files.readAllLines(out.resolve("load.csv"));
    assertEquals(3, csv.size(), "header and one row per level: " + csv);
    assertTrue(csv.get(1).startsWith("c=1,1.0,8,8,{},"), csv.get(1));
    assertTrue(Files.size(out.resolve("throughput.png")) > 1000);
    assertTrue(Files.size(out.resolve("latency.png")) > 1000);
  }
}
