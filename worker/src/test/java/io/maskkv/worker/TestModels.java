package io.maskkv.worker;

import io.maskkv.common.model.ModelConfig;
import io.maskkv.common.model.ModelFamily;
import io.maskkv.common.model.ModelShapes;
import io.maskkv.worker.checkpoint.RandomCheckpoint;
import io.maskkv.worker.checkpoint.TensorDType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Small random checkpoints written once per test JVM. */
public final class TestModels {
  private static final Map<String, Path> CACHE = new ConcurrentHashMap<>();

  private TestModels() {}

  public static List<String> words() {
    List<String> w = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      w.add("t" + i);
    }
    return w;
  }

  public static Path model(ModelFamily family, int layers) {
    return model(family, layers, 64, TensorDType.F32, 1);
  }

  public static Path model(ModelFamily family, int layers, int dModel, TensorDType dtype, int shards) {
    String key = family + "-" + layers + "-" + dModel + "-" + dtype + "-" + shards;
    return CACHE.computeIfAbsent(key, k -> {
      try {
        Path dir = Files.createTempDirectory("maskkv-" + k);
        int heads = 4;
        int kv = family == ModelFamily.LLADA ? 4 : 2;
        ModelConfig c = ModelShapes.small(family, layers, dModel, heads, kv, 256);
        RandomCheckpoint.write(c, dir, 7, dtype, shards, words());
        return dir;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
  }

  /** A prompt of n ids from the word range (below the special tokens). */
  public static int[] prompt(int n, long seed) {
    java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
    int[] p = new int[n];
    for (int i = 0; i < n; i++) {
      p[i] = r.nextInt(200);
    }
    return p;
  }
}
