package io.maskkv.common.budget;

import java.util.Arrays;

/** Every head of a layer gets the layer's budget. */
public final class UniformHeads implements HeadSplit {
  @Override
  public int[] split(int layerBudget, float[][] scores, double[] preference) {
    int[] k = new int[scores.length];
    Arrays.fill(k, layerBudget);
    return k;
  }
}
