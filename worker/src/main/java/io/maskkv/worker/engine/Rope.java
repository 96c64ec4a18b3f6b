package io.maskkv.worker.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * Rotary position embedding, rotate-half (GPT-NeoX / HF-Llama) layout over the full head dimension:
 * {@code out = t*cos + rotate_half(t)*sin}, {@code rotate_half(t) = cat(-t[half:], t[:half])}.
 * Angles are formed in fp32 as the references do ({@code pos * inv_freq}, inv_freq = 1/theta^(2i/hd)).
 */
public final class Rope {
  private final int headDim;
  private final float[] invFreq;

  public Rope(int headDim, double theta) {
    this.headDim = headDim;
    this.invFreq = new float[headDim / 2];
    for (int i = 0; i < invFreq.length; i++) {
      float exponent = (float) (2 * i) / headDim;
      invFreq[i] = (float) (1.0 / (float) Math.pow(theta, exponent));
    }
  }

  /** cos and sin tables {@code [n, headDim]} for the given absolute positions. */
  public NDArray[] tables(int[] positions, NDManager m) {
    int n = positions.length;
    float[] cos = new float[n * headDim];
    float[] sin = new float[n * headDim];
    int half = headDim / 2;
    for (int r = 0; r < n; r++) {
      for (int i = 0; i < half; i++) {
        float angle = (float) positions[r] * invFreq[i];
        float c = (float) Math.cos(angle);
        float s = (float) Math.sin(angle);
        cos[r * headDim + i] = c;
        cos[r * headDim + i + half] = c;
        sin[r * headDim + i] = s;
        sin[r * headDim + i + half] = s;
      }
    }
    return new NDArray[] {m.create(cos, new Shape(n, headDim)), m.create(sin, new Shape(n, headDim))};
  }

  /** Rotates {@code t [.., heads, n, headDim]} (heads may be batched) with tables from {@link #tables}. */
  public NDArray apply(NDArray t, NDArray[] cosSin) {
    // one split (4.4 µs measured) instead of two string-indexed slices (7.4 µs each), on q and k of every layer
    int last = t.getShape().dimension() - 1;
    NDList halves = t.split(2, last);
    NDArray rotated = NDArrays.concat(new NDList(halves.get(1).neg(), halves.get(0)), last);
    return t.mul(cosSin[0]).add(rotated.mul(cosSin[1]));
  }
}
