package io.maskkv.worker.checkpoint;

import io.maskkv.common.model.ModelConfig;
import io.maskkv.common.model.ModelConfigJson;
import io.maskkv.common.text.SpecialTokens;
import io.maskkv.common.text.WordLevelTokenizerJson;
import io.maskkv.worker.checkpoint.SafetensorsWriter.Entry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Writes a randomly initialised model folder in exact Hugging Face layout (config.json, model.safetensors or
 * shards plus index, tokenizer.json) for tests and benchmarks.
 */
public final class RandomCheckpoint {
  private RandomCheckpoint() {}

  /**
   * @param shards 1 writes model.safetensors; more writes model-0000i-of-0000n.safetensors plus the index
   */
  public static void write(ModelConfig c, Path dir, long seed, TensorDType dtype, int shards, List<String> words)
      throws IOException {
    Files.createDirectories(dir);
    ModelConfigJson.write(c, dir);
    Map<String, Entry> tensors = tensors(c, seed);
    if (shards <= 1) {
      SafetensorsWriter w = new SafetensorsWriter(dtype);
      tensors.forEach((n, e) -> w.add(n, e.shape(), e.data()));
      w.write(dir.resolve("model.safetensors"));
    } else {
      writeSharded(dir, tensors, dtype, shards);
    }
    SpecialTokens specials = SpecialTokens.of(c.family());
    WordLevelTokenizerJson.write(dir.resolve("tokenizer.json"),
        WordLevelTokenizerJson.vocabulary(words, specials, c.vocabSize()), specials);
  }

  private static void writeSharded(Path dir, Map<String, Entry> tensors, TensorDType dtype, int shards)
      throws IOException {
    List<String> names = new ArrayList<>(tensors.keySet());
    Map<String, String> weightMap = new LinkedHashMap<>();
    long totalBytes = 0;
    int per = (names.size() + shards - 1) / shards;
    for (int s = 0; s < shards; s++) {
      String file = String.format("model-%05d-of-%05d.safetensors", s + 1, shards);
      SafetensorsWriter w = new SafetensorsWriter(dtype);
      for (String n : names.subList(Math.min(names.size(), s * per), Math.min(names.size(), (s + 1) * per))) {
        Entry e = tensors.get(n);
        w.add(n, e.shape(), e.data());
        weightMap.put(n, file);
        totalBytes += (long) e.data().length * dtype.bytes();
      }
      w.write(dir.resolve(file));
    }
    var json = new com.fasterxml.jackson.databind.ObjectMapper();
    var root = json.createObjectNode();
    root.putObject("metadata").put("total_size", totalBytes);
    var map = root.putObject("weight_map");
    weightMap.forEach(map::put);
    Files.writeString(dir.resolve("model.safetensors.index.json"), json.writerWithDefaultPrettyPrinter()
        .writeValueAsString(root));
  }

  /** Every tensor of the architecture with its HF name, scaled 1/sqrt(fan_in) so attention is not uniform. */
  static Map<String, Entry> tensors(ModelConfig c, long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    TensorNames n = TensorNames.of(c.family());
    int d = c.hiddenSize();
    int qd = c.heads() * c.headDim();
    int kvd = c.kvDim();
    int ffn = c.intermediateSize();
    Map<String, Entry> t = new LinkedHashMap<>();
    t.put(n.embedding(), normal(rnd, 1.0, c.vocabSize(), d));
    for (int l = 0; l < c.layers(); l++) {
      t.put(n.attnNorm(l), norm(rnd, d));
      t.put(n.q(l), normal(rnd, 1 / Math.sqrt(d), qd, d));
      t.put(n.k(l), normal(rnd, 1 / Math.sqrt(d), kvd, d));
      t.put(n.v(l), normal(rnd, 1 / Math.sqrt(d), kvd, d));
      if (c.qkvBias()) {
        t.put(TensorNames.bias(n.q(l)), normal(rnd, 0.1, qd));
        t.put(TensorNames.bias(n.k(l)), normal(rnd, 0.1, kvd));
        t.put(TensorNames.bias(n.v(l)), normal(rnd, 0.1, kvd));
      }
      t.put(n.attnOut(l), normal(rnd, 1 / Math.sqrt(qd), d, qd));
      t.put(n.ffnNorm(l), norm(rnd, d));
      t.put(n.gate(l), normal(rnd, 1 / Math.sqrt(d), ffn, d));
      t.put(n.up(l), normal(rnd, 1 / Math.sqrt(d), ffn, d));
      t.put(n.down(l), normal(rnd, 1 / Math.sqrt(ffn), d, ffn));
    }
    t.put(n.finalNorm(), norm(rnd, d));
    t.put(n.lmHead(), normal(rnd, 1 / Math.sqrt(d), c.vocabSize(), d));
    return t;
  }

  private static Entry normal(SplittableRandom rnd, double std, long... shape) {
    long size = 1;
    for (long s : shape) {
      size *= s;
    }
    float[] data = new float[Math.toIntExact(size)];
    for (int i = 0; i < data.length; i++) {
      data[i] = (float) (gaussian(rnd) * std);
    }
    return new Entry(shape, data);
  }

  private static Entry norm(SplittableRandom rnd, int d) {
    float[] data = new float[d];
    for (int i = 0; i < d; i++) {
      data[i] = (float) (1.0 + 0.1 * gaussian(rnd));
    }
    return new Entry(new long[] {d}, data);
  }

  /** A standard normal draw (Box–Muller), shared by every random initialiser so they draw alike. */
  public static double gaussian(SplittableRandom rnd) {
    double u = Math.max(rnd.nextDouble(), 1e-300);
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rnd.nextDouble());
  }
}
