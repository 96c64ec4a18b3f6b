package io.maskkv.common.budget;

/** Splits one layer's budget over its (KV) heads, from that layer's scores only (so eviction stays per layer). */
public interface HeadSplit {
  /**
   * @param layerBudget k_l, the per-head budget of the layer
   * @param scores per-head token scores {@code [heads][promptLength]}
   * @param preference per-head prompt preference P_h (MaskKV eq. 14); may be null for splits that ignore it
   * @return k_{l,h} per head, before clamping to the prompt length
   */
  int[] split(int layerBudget, float[][] scores, double[] preference);

  /** Whether the split reads the heads' prompt preference, so it pairs only with scorers that measure it. */
  default boolean needsPreference() {
    return false;
  }
}
