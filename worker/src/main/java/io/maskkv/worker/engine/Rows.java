package io.maskkv.worker.engine;

import ai.djl.ndarray.NDArray;

/** Hidden rows {@code [n, d]} flowing through the layers, and the absolute position of each row. */
public record Rows(NDArray x, int[] positions) {
  /** The row holding a position, or -1. */
  public int rowOf(int position) {
    int i = java.util.Arrays.binarySearch(positions, position);
    if (i >= 0) {
      return i;
    }
    for (int r = 0; r < positions.length; r++) { // positions are ascending in every plan; this is a safety net
      if (positions[r] == position) {
        return r;
      }
    }
    return -1;
  }
}
