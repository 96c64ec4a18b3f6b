package io.maskkv.worker.engine;

import ai.djl.ndarray.NDArray;

/** Observes the residual stream around each attention sub-layer (used by calibration, MaskKV eq. 8). */
public interface LayerProbe {
  /**
   * @param in the residual stream entering the layer {@code [rows, d]}
   * @param afterAttention {@code in + Attn(norm(in))}, after the residual add
   */
  void onAttention(int layer, NDArray in, NDArray afterAttention);
}
