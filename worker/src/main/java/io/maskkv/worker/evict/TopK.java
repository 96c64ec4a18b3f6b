package io.maskkv.worker.evict;

import java.util.Arrays;

/** The k highest-scoring positions, returned in ascending position order. */
public final class TopK {
  private TopK() {}

  public static int[] select(float[] scores, int k) {
    int n = scores.length;
    if (k >= n) {
      int[] all = new int[n];
      for (int i = 0; i < n; i++) {
        all[i] = i;
      }
      return all;
    }
    if (k <= 0) {
      return new int[0];
    }
    // sort (score desc, position asc) packed into longs: ties go to the earlier position
    long[] keyed = new long[n];
    for (int i = 0; i < n; i++) {
      int bits = Float.floatToIntBits(scores[i]);
      int ordered = bits >= 0 ? bits : bits ^ 0x7FFFFFFF; // monotone int image of the float
      keyed[i] = ((long) ~ordered << 32) | (i & 0xFFFFFFFFL);
    }
    Arrays.sort(keyed);
    int[] out = new int[k];
    for (int r = 0; r < k; r++) {
      out[r] = (int) keyed[r];
    }
    Arrays.sort(out);
    return out;
  }
}
