package io.maskkv.worker.kv;

import io.maskkv.worker.engine.KvView;

/**
 * What one denoising step feeds through the network: positions [from, to), of which the first
 * {@code queryOnly} rows are queries only (Dream's shifted logits need row i-1 without adding its key twice).
 */
public record StepPlan(int from, int to, int queryOnly, KvView view) {
  public int rows() {
    return to - from;
  }
}
