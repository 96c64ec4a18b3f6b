package io.maskkv.common.budget;

/**
 * MaskKV head budgets (eq. 14–15): {@code k_{l,h} = floor(α·k_l + (1−α)·N_h·k_l·P̂_h)} with P̂ the heads'
 * prompt preference normalised over the layer.
 */
public final class PreferenceHeads implements HeadSplit {
  /** MaskKV head base rate α = 0.1. */
  public static final double ALPHA = 0.1;

  private final double alpha;

  public PreferenceHeads() {
    this(ALPHA);
  }

  public PreferenceHeads(double alpha) {
    this.alpha = alpha;
  }

  @Override
  public boolean needsPreference() {
    return true;
  }

  @Override
  public int[] split(int layerBudget, float[][] scores, double[] preference) {
    int heads = scores.length;
    double sum = 0;
    for (double p : preference) {
      sum += p;
    }
    int[] k = new int[heads];
    for (int h = 0; h < heads; h++) {
      double share = sum > 0 ? preference[h] / sum : 1.0 / heads;
      k[h] = (int) Math.floor(alpha * layerBudget + (1 - alpha) * heads * layerBudget * share);
    }
    return k;
  }
}
