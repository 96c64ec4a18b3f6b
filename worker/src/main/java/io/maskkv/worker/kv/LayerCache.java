package io.maskkv.worker.kv;

import ai.djl.ndarray.NDArray;

/** Saved K/V of one layer {@code [kvHeads, positions, headDim]}; replacing them frees the old ones at once. */
final class LayerCache {
  NDArray k;
  NDArray v;

  void replace(NDArray newK, NDArray newV) {
    clear();
    k = newK;
    v = newV;
  }

  void clear() {
    if (k != null) {
      k.close();
      v.close();
    }
    k = null;
    v = null;
  }

  long bytes() {
    return Slices.bytes(k) + Slices.bytes(v);
  }
}
