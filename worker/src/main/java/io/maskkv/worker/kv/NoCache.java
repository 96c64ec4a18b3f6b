package io.maskkv.worker.kv;

import io.maskkv.worker.engine.KvView;

/** Recomputes the whole sequence every step (the reference sampler); holds no K/V. */
public final class NoCache extends LayerBuffers {
  private final int length;

  public NoCache(int length, int fromLayer, int toLayer) {
    super(fromLayer, toLayer);
    this.length = length;
  }

  @Override
  public StepPlan plan(int blockStart, int blockEnd, boolean firstStepOfBlock) {
    countStep(true);
    return new StepPlan(0, length, 0, KvView.NONE);
  }
}
