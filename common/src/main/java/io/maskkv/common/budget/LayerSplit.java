package io.maskkv.common.budget;

/**
 * Splits the total prompt budget {@code layers × B} into a per-head budget per layer. Computed once per request
 * before the first forward (at the controller), so every shard can evict layer by layer without waiting.
 */
public interface LayerSplit {
  /**
   * @param budget B, the average number of prompt KV pairs kept per head per layer
   * @param profile per-layer importance I^(l) = 1 − mean cos(h_in, h_out) of the attention sub-layer
   * @param promptLength n_p
   * @return k_l for each layer (per-head budget of that layer)
   */
  int[] split(int budget, double[] profile, int promptLength);
}
