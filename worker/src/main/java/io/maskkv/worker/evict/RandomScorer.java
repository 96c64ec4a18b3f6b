package io.maskkv.worker.evict;

import ai.djl.ndarray.NDManager;
import io.maskkv.worker.engine.AttentionKeys;
import io.maskkv.worker.engine.Queries;
import java.util.SplittableRandom;

/** Uniform random scores, seeded per (seed, layer) so a run is reproducible. */
public final class RandomScorer implements Scorer {
  private final long seed;

  public RandomScorer(long seed) {
    this.seed = seed;
  }

  @Override
  public Scores score(int layer, Queries q, AttentionKeys keys, int promptLength, int kvHeads, NDManager scope) {
    SplittableRandom rnd = new SplittableRandom(seed * 1_000_003L + layer);
    float[][] s = new float[kvHeads][promptLength];
    for (float[] row : s) {
      for (int j = 0; j < promptLength; j++) {
        row[j] = (float) rnd.nextDouble();
      }
    }
    return new Scores(s, null);
  }
}
