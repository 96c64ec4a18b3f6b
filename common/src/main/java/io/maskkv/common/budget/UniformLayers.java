package io.maskkv.common.budget;

import java.util.Arrays;

/** Every layer gets B (SnapKV, AdaKV, StreamingLLM, random). */
public final class UniformLayers implements LayerSplit {
  @Override
  public int[] split(int budget, double[] profile, int promptLength) {
    int[] k = new int[profile.length];
    Arrays.fill(k, budget);
    return k;
  }
}
