package io.maskkv.worker.evict;

import ai.djl.ndarray.NDManager;
import io.maskkv.worker.engine.AttentionKeys;
import io.maskkv.worker.engine.Queries;

/** StreamingLLM: the first 4 tokens (attention sinks) and then the most recent prompt tokens. */
public final class StreamingScorer implements Scorer {
  /** StreamingLLM sink tokens. */
  public static final int SINKS = 4;

  @Override
  public Scores score(int layer, Queries q, AttentionKeys keys, int promptLength, int kvHeads, NDManager scope) {
    float[][] s = new float[kvHeads][promptLength];
    for (int h = 0; h < kvHeads; h++) {
      for (int j = 0; j < promptLength; j++) {
        s[h][j] = j < SINKS ? FORCED + (SINKS - j) * FORCED_STEP : j;
      }
    }
    return new Scores(s, null);
  }
}
