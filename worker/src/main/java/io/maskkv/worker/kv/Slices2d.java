package io.maskkv.worker.kv;

import ai.djl.ndarray.NDArray;

/** Row slices of {@code [rows, d]} hidden states. */
final class Slices2d {
  private Slices2d() {}

  static NDArray rows(NDArray x, long from, long to) {
    return x.get(from + ":" + to + ", :");
  }
}
