package io.maskkv.common.budget;

/**
 * What one layer kept: its per-head budget k_l, each KV head's allocation and kept prompt positions (ascending),
 * each head's prompt preference (null where the scorer does not measure it), and the layer's prompt K/V bytes
 * before and after.
 */
public record EvictionDecision(
    int layer,
    int layerBudget,
    int[] headBudgets,
    int[][] keptPositions,
    double[] preference,
    long bytesBefore,
    long bytesAfter) {

  public int kept() {
    int n = 0;
    for (int[] p : keptPositions) {
      n += p.length;
    }
    return n;
  }
}
