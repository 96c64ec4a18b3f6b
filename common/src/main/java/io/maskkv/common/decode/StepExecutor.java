package io.maskkv.common.decode;

import java.util.List;

/**
 * Runs one denoising step somewhere (in process, or over a pipeline of gRPC shards) and returns the best token
 * and its confidence for each masked position asked for, never the full vocabulary.
 */
public interface StepExecutor {
  List<Candidate> step(StepRequest request);

  /** Rows fed through the network by the last step (for reporting). */
  int lastRowsFed();

  /** KV bytes the executor's caches hold now, summed over shards. */
  long kvBytes();

  /** Layer-steps that recomputed every row so far (Elastic-Cache's cache update count). */
  default long layerStepsRecomputed() {
    return 0;
  }

  /** Layer-steps run so far. */
  default long layerSteps() {
    return 0;
  }
}
