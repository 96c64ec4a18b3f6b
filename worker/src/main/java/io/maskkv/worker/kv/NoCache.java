package io.maskkv.worker.kv;

import io.maskkv.worker.engine.KvView;

/** Recomputes the whole sequence every step (the reference sampler). */
public final class NoCache implements StepCache {
  private final int length;
  private final int layers;
  private long steps;

  public NoCache(int length, int layers) {
    this.length = length;
    this.layers = layers;
  }

  @Override
  public long layerStepsRecomputed() {
    return steps * layers;
  }

  @Override
  public long layerSteps() {
    return steps * layers;
  }

  @Override
  public StepPlan plan(io.maskkv.common.decode.StepRequest r) {
    return plan(r.blockStart(), r.blockEnd(), r.firstOfBlock());
  }

  @Override
  public StepPlan plan(int blockStart, int blockEnd, boolean firstStepOfBlock) {
    steps++;
    return new StepPlan(0, length, 0, KvView.NONE);
  }

  @Override
  public long bytes() {
    return 0;
  }

  @Override
  public void close() {}
}
