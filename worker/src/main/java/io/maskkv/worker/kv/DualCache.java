package io.maskkv.worker.kv;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.maskkv.worker.engine.AttentionKeys;
import io.maskkv.worker.engine.KvView;
import java.util.Arrays;

/**
 * Fast-dLLM dual cache: at each block start a full forward keeping K/V of every position; the block's other
 * steps feed only the block and attend over the cached prefix and suffix with the block's rows fresh.
 */
public final class DualCache implements StepCache {
  private final int length;
  private final int shift;
  private final NDManager owner;
  private final LayerCache[] layers;
  private final int layerCount;
  private long steps;
  private long blockStarts;

  public DualCache(int length, int shift, int fromLayer, int toLayer, NDManager owner) {
    this.length = length;
    this.shift = shift;
    this.owner = owner;
    this.layers = new LayerCache[toLayer];
    this.layerCount = toLayer - fromLayer;
    for (int l = fromLayer; l < toLayer; l++) {
      layers[l] = new LayerCache();
    }
  }

  @Override
  public StepPlan plan(io.maskkv.common.decode.StepRequest r) {
    return plan(r.blockStart(), r.blockEnd(), r.firstOfBlock());
  }

  @Override
  public StepPlan plan(int blockStart, int blockEnd, boolean firstStepOfBlock) {
    steps++;
    if (firstStepOfBlock) {
      blockStarts++;
      KvView saving = (layer, k, v, step) -> {
        layers[layer].replace(Slices.keep(k, 0, length, owner), Slices.keep(v, 0, length, owner));
        return new AttentionKeys(k, v, null);
      };
      return new StepPlan(0, length, 0, saving);
    }
    KvView cached = (layer, k, v, step) -> {
      LayerCache c = layers[layer];
      long fed = k.getShape().get(1);
      return new AttentionKeys(splice(c.k, Slices.rows(k, shift, fed), blockStart, blockEnd, step),
          splice(c.v, Slices.rows(v, shift, fed), blockStart, blockEnd, step), null);
    };
    return new StepPlan(blockStart - shift, blockEnd, shift, cached);
  }

  /** The cached tensor with positions [from, to) replaced by the fresh rows. */
  private NDArray splice(NDArray cached, NDArray fresh, int from, int to, NDManager step) {
    java.util.List<NDArray> parts = new java.util.ArrayList<>();
    if (from > 0) {
      parts.add(Slices.rowsIn(cached, 0, from, step));
    }
    parts.add(fresh);
    if (to < length) {
      parts.add(Slices.rowsIn(cached, to, length, step));
    }
    return Slices.concat(step, parts.toArray(new NDArray[0]));
  }

  @Override
  public long layerStepsRecomputed() {
    return blockStarts * layerCount;
  }

  @Override
  public long layerSteps() {
    return steps * layerCount;
  }

  @Override
  public long bytes() {
    return Arrays.stream(layers).filter(java.util.Objects::nonNull).mapToLong(LayerCache::bytes).sum();
  }

  @Override
  public void close() {
    Arrays.stream(layers).filter(java.util.Objects::nonNull).forEach(LayerCache::clear);
  }
}
