package io.maskkv.common.budget;

import java.util.Arrays;

/**
 * AdaKV: a global top-(N_h·k_l) over all heads' scores decides how many tokens each head would take; each head
 * then gets {@code floor(count_h·(1 − f) + floor(f·k_l))} with the floor share f = 20%. We floor where AdaKV
 * rounds so that the layer never exceeds N_h·k_l.
 */
public final class AdaKvHeads implements HeadSplit {
  /** AdaKV floor: 20% of the budget is spread uniformly. */
  public static final double FLOOR = 0.2;

  @Override
  public int[] split(int layerBudget, float[][] scores, double[] preference) {
    int heads = scores.length;
    int n = scores[0].length;
    long total = (long) heads * Math.min(layerBudget, n);
    // threshold = the total-th largest score over all heads
    float[] all = new float[heads * n];
    for (int h = 0; h < heads; h++) {
      System.arraycopy(scores[h], 0, all, h * n, n);
    }
    int[] order = sortedDescending(all);
    int[] count = new int[heads];
    for (int r = 0; r < total && r < order.length; r++) {
      count[order[r] / n]++;
    }
    int base = (int) Math.floor(FLOOR * layerBudget);
    int[] k = new int[heads];
    for (int h = 0; h < heads; h++) {
      k[h] = (int) Math.floor(count[h] * (1 - FLOOR) + base);
    }
    return k;
  }

  private static int[] sortedDescending(float[] v) {
    Integer[] idx = new Integer[v.length];
    for (int i = 0; i < idx.length; i++) {
      idx[i] = i;
    }
    Arrays.sort(idx, (a, b) -> Float.compare(v[b], v[a]));
    return Arrays.stream(idx).mapToInt(Integer::intValue).toArray();
  }
}
