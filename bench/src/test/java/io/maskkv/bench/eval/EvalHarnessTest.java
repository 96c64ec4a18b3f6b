package io.maskkv.bench.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.maskkv.bench.cli.BenchMain;
import io.maskkv.bench.tasks.TaskFiles;
import io.maskkv.bench.tasks.TaskVocabulary;
import io.maskkv.common.model.ModelFamily;
import io.maskkv.common.model.ModelShapes;
import io.maskkv.worker.checkpoint.RandomCheckpoint;
import io.maskkv.worker.checkpoint.TensorDType;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ./maskkv eval} end to end on a tiny random-weight LLaDA model (its accuracies mean nothing). */
class EvalHarnessTest {
  @TempDir
  static Path dir;

  static Path model;
  static Path needle;

  @BeforeAll
  static void setUp() throws Exception {
    model = dir.resolve("model");
    RandomCheckpoint.write(ModelShapes.small(ModelFamily.LLADA, 2, 64, 4, 4, 1024), model, 3, TensorDType.F32, 1,
        TaskVocabulary.words());
    needle = dir.resolve("needle.jsonl");
    TaskFiles.write(needle, "needle", 3, 128, 11);
  }

  @Test
  void evalCommandWritesCsvTableAndPlot() throws Exception {
    Path csv = dir.resolve("out/results.csv");
    Path predictions = dir.resolve("out/predictions.jsonl");
    ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    PrintStream saved = System.out;
    int rc;
    try {
      System.setOut(new PrintStream(stdout, true, StandardCharsets.UTF_8));
      rc = BenchMain.run("eval", "--model", model.toString(), "--data", needle.toString(), "--methods",
          "full,maskkv,snapkv", "--budgets", "16,8", "--gen-length", "4", "--out", csv.toString(),
          "--predictions", predictions.toString());
    } finally {
      System.setOut(saved);
    }
    assertEquals(0, rc);

    List<String> lines = Files.readAllLines(csv);
    assertEquals(ResultCsv.HEADER, lines.get(0));
    assertTrue(lines.get(0).startsWith("task,method,budget,accuracy,retention,n,ms_per_step"));
    assertEquals(1 + 1 + 2 * 2, lines.size(), "header + full + 2 methods x 2 budgets: " + lines);
    List<String[]> rows = lines.subList(1, lines.size()).stream().map(l -> l.split(",", -1)).toList();
    String[] full = rows.get(0);
    assertEquals("needle", full[0]);
    assertEquals("full", full[1]);
    assertEquals("", full[2], "full has no budget");
    double fullAccuracy = Double.parseDouble(full[3]);
    if (fullAccuracy > 0) {
      assertEquals(1.0, Double.parseDouble(full[4]), 1e-9);
    } else {
      assertEquals("NaN", full[4], "retention is undefined when the full cache scores 0");
    }
    assertEquals(List.of("maskkv:8", "maskkv:16", "snapkv:8", "snapkv:16"),
        rows.subList(1, rows.size()).stream().map(r -> r[1] + ":" + r[2]).toList());
    for (String[] r : rows) {
      double acc = Double.parseDouble(r[3]);
      assertTrue(acc >= 0 && acc <= 1, "accuracy " + acc);
      assertEquals("3", r[5], "n");
      assertTrue(Double.parseDouble(r[6]) > 0, "ms per step");
      assertEquals("em", r[9], "needle is scored by exact match");
    }
    assertEquals(3 * 5, Files.readAllLines(predictions).size(), "3 records x (full + 2 x 2)");

    String table = stdout.toString(StandardCharsets.UTF_8);
    assertTrue(table.contains("accuracy (%)") && table.contains("retention"), table);
    assertTrue(table.contains("maskkv") && table.contains("snapkv"), table);

    Path png = dir.resolve("out/results.png");
    byte[] bytes = Files.readAllBytes(png);
    assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'}, Arrays.copyOf(bytes, 8));
    BufferedImage image = ImageIO.read(png.toFile());
    assertNotNull(image, "decodes as an image");
    assertTrue(image.getWidth() > 100 && image.getHeight() > 100);
  }

  @Test
  void badArgumentsExitWithCode2() {
    Path csv = dir.resolve("bad.csv");
    PrintStream savedErr = System.err;
    try {
      System.setErr(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
      assertEquals(2, BenchMain.run("eval", "--model", model.toString(), "--data", dir.resolve("missing.jsonl").toString(),
          "--out", csv.toString()));
      assertEquals(2, BenchMain.run("eval", "--model", model.toString(), "--data", needle.toString(), "--methods",
          "maskkv,snapkvv", "--out", csv.toString()));
      assertEquals(2, BenchMain.run("eval", "--model", model.toString(), "--data", needle.toString(), "--budgets", "8,0",
          "--out", csv.toString()));
    } finally {
      System.setErr(savedErr);
    }
    assertTrue(Files.notExists(csv));
  }
}
