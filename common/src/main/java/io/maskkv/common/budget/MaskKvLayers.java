package io.maskkv.common.budget;

/**
 * MaskKV boundary-aware layer budgets (eq. 9–13): a base share β·k_p/D for every layer, and the rest split
 * between the boundary layers (first and last) and the middle layers in proportion to their summed importance,
 * equally within each group.
 */
public final class MaskKvLayers implements LayerSplit {
  /** MaskKV layer base rate β = 0.4. */
  public static final double BETA = 0.4;

  private final double beta;

  public MaskKvLayers() {
    this(BETA);
  }

  public MaskKvLayers(double beta) {
    this.beta = beta;
  }

  @Override
  public int[] split(int budget, double[] profile, int promptLength) {
    int d = profile.length;
    long kp = (long) d * budget;
    long kBase = (long) Math.floor(beta * kp / d); // eq. 9
    long kImp = kp - d * kBase; // eq. 10
    int[] k = new int[d];
    if (d <= 2) {
      for (int l = 0; l < d; l++) {
        k[l] = (int) (kBase + kImp / d);
      }
      return k;
    }
    double iB = profile[0] + profile[d - 1];
    double iM = 0;
    for (int l = 1; l < d - 1; l++) {
      iM += profile[l];
    }
    double groupB = iB + iM > 0 ? kImp * iB / (iB + iM) : kImp * 2.0 / d; // eq. 11
    double groupM = kImp - groupB; // eq. 12
    for (int l = 0; l < d; l++) { // eq. 13
      boolean boundary = l == 0 || l == d - 1;
      k[l] = (int) (kBase + (boundary ? Math.floor(groupB / 2) : Math.floor(groupM / (d - 2))));
    }
    return k;
  }
}
