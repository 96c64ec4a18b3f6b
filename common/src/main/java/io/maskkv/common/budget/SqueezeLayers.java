package io.maskkv.common.budget;

import java.util.Arrays;

/**
 * SqueezeAttention: KMeans of the per-layer attention cosine into 3 groups; the group with the highest cosine
 * (least important) gets p·B per layer, the others share the rest equally so the total stays D·B.
 * Cosine is taken from the offline profile (cos = 1 − I^(l)) so the split is known before the forward.
 */
public final class SqueezeLayers implements LayerSplit {
  /** SqueezeAttention: the least important group gets 40%. */
  public static final double P = 0.4;
  public static final int GROUPS = 3;

  @Override
  public int[] split(int budget, double[] profile, int promptLength) {
    int layers = profile.length;
    double[] cos = Arrays.stream(profile).map(i -> 1 - i).toArray();
    int[] cluster = KMeans1d.cluster(cos, GROUPS);
    int least = KMeans1d.highestCentroid(cos, cluster, GROUPS);
    int squeezed = (int) Arrays.stream(cluster).filter(c -> c == least).count();
    int[] k = new int[layers];
    if (squeezed == 0 || squeezed == layers) {
      Arrays.fill(k, budget);
      return k;
    }
    int low = (int) Math.floor(P * budget);
    int high = (int) Math.floor(((double) layers * budget - (double) squeezed * P * budget) / (layers - squeezed));
    for (int l = 0; l < layers; l++) {
      k[l] = cluster[l] == least ? low : high;
    }
    return k;
  }
}
