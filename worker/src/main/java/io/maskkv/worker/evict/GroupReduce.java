package io.maskkv.worker.evict;

import ai.djl.ndarray.NDArray;

/** GQA: per-query-head statistics reduced to per-KV-head by the mean over each group (AdaKV gqa "mean"). */
final class GroupReduce {
  private GroupReduce() {}

  /** {@code [heads, n]} to {@code [kvHeads, n]}. */
  static NDArray mean(NDArray perQueryHead, int kvHeads) {
    long heads = perQueryHead.getShape().get(0);
    long n = perQueryHead.getShape().get(1);
    if (heads == kvHeads) {
      return perQueryHead;
    }
    return perQueryHead.reshape(kvHeads, heads / kvHeads, n).mean(new int[] {1});
  }

  static float[][] rows(NDArray m) {
    int rows = (int) m.getShape().get(0);
    int cols = (int) m.getShape().get(1);
    float[] flat = m.toFloatArray();
    float[][] out = new float[rows][cols];
    for (int r = 0; r < rows; r++) {
      System.arraycopy(flat, r * cols, out[r], 0, cols);
    }
    return out;
  }
}
