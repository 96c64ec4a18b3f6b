package io.maskkv.worker.kv;

import ai.djl.ndarray.NDArray;

/**
 * One layer's compressed prompt K/V: each KV head keeps its own number of positions. Heads are padded to the
 * layer's longest head ({@code [kvHeads, maxKept, hd]}) and the padding slots are masked out by an additive key
 * mask, so attention over the store stays one batched matmul per layer. We chose padding over a packed
 * (varlen) layout because DJL exposes no varlen attention kernel, and the waste is bounded: budgets are small
 * and the mask is built once, at eviction. {@code mask} is null when every head keeps the same count.
 *
 * @param fullMask the mask for [prompt slots; fed response rows], built once since the fed row count is fixed
 */
record PromptKv(NDArray k, NDArray v, NDArray mask, NDArray fullMask) {
  long bytes() {
    return Slices.bytes(k) + Slices.bytes(v) + Slices.bytes(mask) + Slices.bytes(fullMask);
  }

  void close() {
    k.close();
    v.close();
    if (mask != null) {
      mask.close();
      fullMask.close();
    }
  }
}
