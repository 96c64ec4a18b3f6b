package io.maskkv.common.budget;

/**
 * PyramidKV: budgets decrease linearly with depth (KVCache-Factory PyramidKVCluster):
 * {@code min = B/β, max = 2B − min; if max ≥ n_p − w: max = n_p − w, min = 2B − max;
 * step = (max − min)/(D − 1); k_l = max − l·step}, trimmed at the top if rounding overshoots D·B.
 */
public final class PyramidLayers implements LayerSplit {
  /** PyramidKV β = 20. */
  public static final int BETA = 20;
  /** SnapKV observation window, which PyramidKV keeps out of its range. */
  public static final int WINDOW = 32;

  @Override
  public int[] split(int budget, double[] profile, int promptLength) {
    int layers = profile.length;
    int min = budget / BETA;
    int max = 2 * budget - min;
    if (max >= promptLength - WINDOW && promptLength - WINDOW > 0) {
      max = promptLength - WINDOW;
      min = 2 * budget - max;
    }
    int step = layers > 1 ? (max - min) / (layers - 1) : 0;
    int[] k = new int[layers];
    long sum = 0;
    for (int l = 0; l < layers; l++) {
      k[l] = Math.max(0, max - l * step);
      sum += k[l];
    }
    // The integer step can leave the pyramid above D·B (B = 64, D = 4 gives 260 > 256); trim the excess from
    // the top layers so the plan never exceeds the budget.
    for (int l = 0; sum > (long) layers * budget && l < layers; l++) {
      int cut = (int) Math.min(k[l], sum - (long) layers * budget);
      k[l] -= cut;
      sum -= cut;
    }
    return k;
  }
}
