package io.maskkv.worker.kv;

import io.maskkv.common.decode.StepRequest;
import java.util.Arrays;
import java.util.Objects;

/**
 * What the block-driven caches share: one {@link KvBuffer} per layer of the shard (the only K/V they hold), and
 * the count of steps that recomputed every row versus steps that reused the cache.
 */
abstract class LayerBuffers implements StepCache {
  protected final KvBuffer[] layers;
  private final int layerCount;
  private long steps;
  private long recomputed;

  LayerBuffers(int fromLayer, int toLayer) {
    this.layers = new KvBuffer[toLayer];
    this.layerCount = toLayer - fromLayer;
  }

  @Override
  public StepPlan plan(StepRequest r) {
    return plan(r.blockStart(), r.blockEnd(), r.firstOfBlock());
  }

  @Override
  public abstract StepPlan plan(int blockStart, int blockEnd, boolean firstStepOfBlock);

  /** Counts one step of every layer; {@code everyRow} when it recomputed all the rows this cache covers. */
  protected final void countStep(boolean everyRow) {
    steps++;
    if (everyRow) {
      recomputed++;
    }
  }

  @Override
  public long layerStepsRecomputed() {
    return recomputed * layerCount;
  }

  @Override
  public long layerSteps() {
    return steps * layerCount;
  }

  @Override
  public long bytes() {
    return Arrays.stream(layers).filter(Objects::nonNull).mapToLong(KvBuffer::bytes).sum();
  }

  @Override
  public void close() {
    for (int i = 0; i < layers.length; i++) {
      if (layers[i] != null) {
        layers[i].close();
        layers[i] = null;
      }
    }
  }
}
