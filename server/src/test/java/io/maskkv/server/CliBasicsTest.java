package io.maskkv.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.maskkv.common.text.TextTokenizer;
import io.maskkv.worker.engine.Devices;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a new user trips over first: LongBench records as prompts, unknown words, a CUDA device on a CPU build. */
class CliBasicsTest {
  static final Path MODEL = Path.of("../models/maskkv-tiny");

  @Test
  void aLongBenchRecordIsContextSpaceInputAndAnIndexPastTheEndIsAClearError(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("r.jsonl");
    Files.writeString(f, "{\"context\":\"the key is red .\",\"input\":\"what is the key ?\",\"answers\":[\"red\"]}\n"
        + "\n{\"context\":\"a b\",\"input\":\"\",\"answers\":[]}\n");
    LongBenchRecord r = LongBenchRecord.read(f, 0);
    assertEquals("the key is red . what is the key ?", r.prompt());
    assertEquals(List.of("red"), r.answers());
    assertEquals("a b", LongBenchRecord.read(f, 1).prompt());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LongBenchRecord.read(f, 2));
    assertTrue(e.getMessage().contains("has 2 records"), e.getMessage());
  }

  @Test
  void wordsOutsideAWordLevelVocabularyAreNamed() {
    try (TextTokenizer tok = TextTokenizer.load(MODEL)) {
      assertEquals(List.of("zebra", "giraffe"), tok.unknownWords("the zebra key is red . the giraffe ?"));
      assertEquals(List.of(), tok.unknownWords("the key is red ."));
    }
  }

  @Test
  void aCudaDeviceWithoutAGpuIsAOneLineError() {
    assumeTrue(ai.djl.util.cuda.CudaUtils.getGpuCount() == 0, "this machine has a GPU");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Devices.parse("cuda"));
    assertTrue(e.getMessage().contains("use --device cpu"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> Devices.parse("tpu"));
    assertEquals(ai.djl.Device.cpu(), Devices.parse("cpu"));
  }

  @Test
  void aControllerRefusedForItsConfigurationSaysSoInOneLine(@TempDir Path dir) throws Exception {
    Path tokens = dir.resolve("tokens");
    Files.writeString(tokens, "short\n");
    String[][] cases = {
        {"--api-tokens-file", tokens.toString()},
        {"--api-tokens-file", dir.resolve("missing").toString()},
        {"--host", "0.0.0.0"}};
    String[] expected = {"at least 16 characters", "cannot read the API token file", "refusing to serve"};
    for (int i = 0; i < cases.length; i++) {
      java.io.StringWriter err = new java.io.StringWriter();
      picocli.CommandLine cli = new picocli.CommandLine(new Main());
      cli.setErr(new java.io.PrintWriter(err, true));
      String[] args = java.util.stream.Stream.concat(java.util.stream.Stream.of("serve", "--port", "0",
          "--http-port", "0", "--no-embedded", "--workers", "127.0.0.1:1"), java.util.Arrays.stream(cases[i])).toArray(String[]::new);
      assertEquals(2, Main.execute(cli, args), err.toString());
      List<String> lines = err.toString().lines().toList();
      assertEquals(1, lines.size(), err.toString());
      assertTrue(lines.get(0).startsWith("error: ") && lines.get(0).contains(expected[i]), lines.get(0));
    }
  }

  @Test
  void theBundledModelIsFoundFromAnyWorkingDirectory() {
    String before = System.getProperty("maskkv.home");
    try {
      System.setProperty("maskkv.home", MODEL.toAbsolutePath().getParent().getParent().toString());
      Path p = Installation.resolve(Path.of("models", "maskkv-tiny"));
      assertTrue(Files.isDirectory(p), p.toString());
      Path missing = Path.of("no-such-folder");
      assertEquals(missing, Installation.resolve(missing), "an unknown folder stays as given, for the error");
    } finally {
      if (before == null) {
        System.clearProperty("maskkv.home");
      } else {
        System.setProperty("maskkv.home", before);
      }
    }
  }
}
