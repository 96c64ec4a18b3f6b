package io.maskkv.worker;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.Device;
import io.maskkv.common.decode.GenerationOptions;
import io.maskkv.common.decode.Refresh;
import io.maskkv.worker.engine.Transformer;
import io.maskkv.worker.session.Generator;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The first bundled model's greedy tokens for every cache mode and refresh policy, compared against tokens recorded
 * before the module restructuring (resource {@code recorded-tokens.txt}: the prompt ids, then one line per case).
 * The model is kept as a fixture ({@code fixtures/maskkv-tiny-v1}) so the recording stays valid after the bundled
 * model was replaced.
 */
class RecordedTokensTest {
  /** The first shipped bundled model, which the recording was made on (fixtures/README.md). */
  static Path bundled() {
    String fixtures = System.getProperty("maskkv.fixtures");
    return (fixtures != null ? Path.of(fixtures) : Path.of("..", "fixtures")).resolve("maskkv-tiny-v1");
  }

  /** Case name → options; the name is what the recorded file keys on. */
  static Map<String, GenerationOptions> cases() {
    GenerationOptions base = GenerationOptions.builder().lengths(16, 16, 8).cache("prefix", 8).seed(42).earlyStop(false).build();
    Map<String, GenerationOptions> c = new LinkedHashMap<>();
    for (String mode : List.of("none", "prefix", "dual", "full", "maskkv", "snapkv", "pyramidkv",
        "squeezeattention", "adakv", "streamingllm", "random", "snapkv+maskkv", "mask-voting+uniform")) {
      c.put(mode, base.withCache(mode, 8));
    }
    c.put("maskkv/refresh-dual", base.withCache("maskkv", 8).withRefresh(Refresh.parse("dual"), 0.9, 16));
    c.put("maskkv/refresh-elastic", base.withCache("maskkv", 8).withRefresh(Refresh.parse("elastic"), 0.9, 4));
    c.put("none/refresh-elastic", base.withCache("none", 8).withRefresh(Refresh.parse("elastic"), 0.9, 4));
    c.put("maskkv/threshold-0.5", base.withCache("maskkv", 8).withThreshold(0.5));
    return c;
  }

  @Test
  void everyCacheModeGivesTheRecordedTokens() throws IOException {
    List<String> lines;
    try (InputStream in = RecordedTokensTest.class.getResourceAsStream("/recorded-tokens.txt")) {
      lines = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
    }
    int[] prompt = parse(lines.get(0).substring("prompt ".length()));
    Map<String, int[]> recorded = new LinkedHashMap<>();
    for (String l : lines.subList(1, lines.size())) {
      String[] kv = l.split(" ", 2);
      recorded.put(kv[0], parse(kv[1]));
    }
    Map<String, int[]> got = run(prompt);
    assertEquals(recorded.keySet(), got.keySet());
    for (String k : recorded.keySet()) {
      assertArrayEquals(recorded.get(k), got.get(k), k + ": " + Arrays.toString(got.get(k)));
    }
  }

  /** Every case on the bundled model and on the small random LLaDA and Dream checkpoints. */
  static Map<String, int[]> run(int[] prompt) {
    Map<String, Path> models = new LinkedHashMap<>();
    models.put("bundled", bundled());
    models.put("llada", TestModels.model(io.maskkv.common.model.ModelFamily.LLADA, 2));
    models.put("dream", TestModels.model(io.maskkv.common.model.ModelFamily.DREAM, 2));
    Map<String, int[]> out = new LinkedHashMap<>();
    for (Map.Entry<String, Path> m : models.entrySet()) {
      // the random models' vocabulary is smaller: their prompt is the same ids folded into their word range
      int[] p = m.getKey().equals("bundled") ? prompt : Arrays.stream(prompt).map(i -> i % 200).toArray();
      try (Transformer t = Transformer.load(m.getValue(), Device.cpu())) {
        for (Map.Entry<String, GenerationOptions> e : cases().entrySet()) {
          out.put(m.getKey() + "/" + e.getKey(), new Generator(t).generate(p, e.getValue().validated(), s -> {})
              .response());
        }
      }
    }
    return out;
  }

  static int[] parse(String csv) {
    return Arrays.stream(csv.trim().split(",")).mapToInt(Integer::parseInt).toArray();
  }

  /** Writes the recording; run once, before a change that must not move any token. */
  public static void main(String[] args) throws IOException {
    int[] prompt = parse(args[0]);
    List<String> out = new ArrayList<>();
    out.add("prompt " + join(prompt));
    run(prompt).forEach((k, v) -> out.add(k + " " + join(v)));
    java.nio.file.Files.write(Path.of(args[1]), out);
  }

  static String join(int[] a) {
    return String.join(",", Arrays.stream(a).mapToObj(Integer::toString).toList());
  }
}
