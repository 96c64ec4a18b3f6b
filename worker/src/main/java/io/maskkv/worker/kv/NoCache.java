package io.maskkv.worker.kv;

import io.maskkv.worker.engine.KvView;

/** Recomputes the whole sequence every step (the reference sampler). */
public final class NoCache implements StepCache {
  private final int length;

  public NoCache(int length) {
    this.length = length;
  }

  @Override
  public StepPlan plan(int blockStart, int blockEnd, boolean firstStepOfBlock) {
    return new StepPlan(0, length, 0, KvView.NONE);
  }

  @Override
  public long bytes() {
    return 0;
  }

  @Override
  public void close() {}
}
