package io.maskkv.worker.kv;

/**
 * A session's cache policy: decides which rows each step feeds and what they attend over, and owns the
 * session's cached K/V (the only place that allocates or frees it).
 */
public interface StepCache extends AutoCloseable {
  /**
   * @param blockStart absolute position where the current block starts
   * @param blockEnd absolute position where it ends (exclusive)
   * @param firstStepOfBlock whether this is the block's first step
   */
  StepPlan plan(int blockStart, int blockEnd, boolean firstStepOfBlock);

  /** Bytes of K/V this cache holds now. */
  long bytes();

  @Override
  void close();
}
