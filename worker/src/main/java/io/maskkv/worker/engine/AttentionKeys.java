package io.maskkv.worker.engine;

import ai.djl.ndarray.NDArray;

/**
 * What a layer's queries attend over: keys (post-RoPE) and values {@code [kvHeads, keys, headDim]}, and an
 * optional additive key mask {@code [kvHeads, 1, keys]} (0 = attend, large negative = padding slot).
 */
public record AttentionKeys(NDArray k, NDArray v, NDArray mask) {
  public long keyCount() {
    return k.getShape().get(1);
  }
}
