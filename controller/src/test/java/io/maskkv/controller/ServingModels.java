package io.maskkv.controller;

import io.maskkv.common.budget.LayerProfile;
import io.maskkv.common.model.ModelConfig;
import io.maskkv.common.model.ModelFamily;
import io.maskkv.worker.TestModels;
import io.maskkv.worker.checkpoint.RandomCheckpoint;
import io.maskkv.worker.checkpoint.TensorDType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Small random models for the serving tests: 4 layers, d = 64, 256 positions (so "too long" is cheap to ask). */
final class ServingModels {
  static final int MAX_POSITIONS = 256;
  private static final Map<ModelFamily, Path> CACHE = new ConcurrentHashMap<>();

  private ServingModels() {}

  static Path model(ModelFamily family) {
    return CACHE.computeIfAbsent(family, f -> {
      try {
        Path dir = Files.createTempDirectory("maskkv-serving-" + f).resolve("tiny-" + f.name().toLowerCase());
        int kv = f == ModelFamily.LLADA ? 4 : 2;
        double theta = f == ModelFamily.LLADA ? 500000.0 : 1000000.0;
        int vocab = 256;
        ModelConfig c = new ModelConfig(f, 64, 4, 4, kv, 192, vocab, theta, 1e-5, vocab - 1, vocab - 3, vocab - 2,
            vocab - 4, MAX_POSITIONS);
        RandomCheckpoint.write(c, dir, 11, TensorDType.F32, 1, TestModels.words());
        // a non-uniform profile, so the controller's MaskKV layer split is really exercised
        LayerProfile.write(dir.resolve(LayerProfile.FILE), new double[] {0.9, 0.2, 0.35, 0.8}, 1, "test");
        return dir;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
  }
}
