package io.maskkv.worker.evict;

import ai.djl.ndarray.NDManager;
import io.maskkv.worker.engine.AttentionKeys;
import io.maskkv.worker.engine.Queries;

/**
 * Scores the prompt tokens of one layer at the first denoising step (all response positions masked).
 * Positions that must be kept whatever the budget (SnapKV's window, StreamingLLM's sinks) get {@link #FORCED}
 * scores so any top-k picks them first.
 */
public interface Scorer {
  /** Above every attention-derived score; {@code FORCED + i·FORCED_STEP} orders forced positions among themselves. */
  float FORCED = 1e30f;
  float FORCED_STEP = 1e24f;

  /**
   * @param q post-RoPE queries of the step's rows (prompt rows then mask rows), read by row ranges
   * @param keys the layer's full keys over all S positions (keys only: a re-vote passes no values)
   */
  Scores score(int layer, Queries q, AttentionKeys keys, int promptLength, int kvHeads, NDManager scope);

  /**
   * The same, told the layer's per-head budget k_l (what eviction calls): scorers whose forced positions depend on
   * the budget (SnapKV's shrinking window) read it; the others ignore it.
   */
  default Scores score(int layer, Queries q, AttentionKeys keys, int promptLength, int kvHeads, int layerBudget,
      NDManager scope) {
    return score(layer, q, keys, promptLength, kvHeads, scope);
  }
}
