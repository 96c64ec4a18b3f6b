package io.maskkv.worker.kv;

/**
 * A session's cache policy: decides which rows each step feeds and what they attend over, and owns the
 * session's cached K/V (the only place that allocates or frees it).
 */
public interface StepCache extends AutoCloseable {
  /** The rows the step feeds and what they attend over. */
  StepPlan plan(io.maskkv.common.decode.StepRequest request);

  /**
   * @param blockStart absolute position where the current block starts
   * @param blockEnd absolute position where it ends (exclusive)
   * @param firstStepOfBlock whether this is the block's first step
   */
  default StepPlan plan(int blockStart, int blockEnd, boolean firstStepOfBlock) {
    return plan(new io.maskkv.common.decode.StepRequest(blockStart, blockEnd, firstStepOfBlock, null, null));
  }

  /** Layer-steps that ran every row of their range (a full recompute), since the session opened. */
  default long layerStepsRecomputed() {
    return 0;
  }

  /** Layer-steps run in all, since the session opened. */
  default long layerSteps() {
    return 0;
  }

  /** Bytes of K/V this cache holds now. */
  long bytes();

  @Override
  void close();
}
