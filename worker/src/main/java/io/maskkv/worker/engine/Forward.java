package io.maskkv.worker.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/** One plain forward over token ids with no cache: the {@code ./maskkv forward} path. */
public final class Forward {
  private Forward() {}

  /** Raw logits of every row, {@code [T * vocab]} row-major (Dream's logits unshifted). */
  public static float[] logitsAllRows(Transformer model, int[] ids, NDManager step) {
    int[] positions = new int[ids.length];
    for (int i = 0; i < positions.length; i++) {
      positions[i] = i;
    }
    NDArray x = model.layers(model.embed(ids, step), positions, KvView.NONE, null, step);
    return model.logits(x).toFloatArray();
  }
}
