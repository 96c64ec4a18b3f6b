package io.maskkv.worker.kv;

import io.maskkv.worker.engine.KvView;
import java.util.stream.IntStream;

/**
 * What one denoising step feeds through the network: the absolute positions of the fed rows (ascending), of
 * which the first {@code queryOnly} are queries only (Dream's shifted logits need row i-1 without adding its key
 * twice), the view they attend through, and which masked positions want candidates (null = all the driver asked).
 */
public record StepPlan(int queryOnly, KvView view, int[] positions, int[] candidates) {

  /** A contiguous range [from, to). */
  public StepPlan(int from, int to, int queryOnly, KvView view) {
    this(queryOnly, view, IntStream.range(from, to).toArray(), null);
  }

  public int rows() {
    return positions.length;
  }

  public int from() {
    return positions[0];
  }
}
