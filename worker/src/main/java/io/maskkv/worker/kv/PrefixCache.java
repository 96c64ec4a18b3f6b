package io.maskkv.worker.kv;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.maskkv.worker.engine.AttentionKeys;
import io.maskkv.worker.engine.KvView;
import java.util.Arrays;

/**
 * Fast-dLLM prefix cache: at each block start a full forward, keeping K/V of [0, blockStart) (prompt and finished
 * blocks); the block's other steps feed [blockStart, end) and attend over the cached prefix plus themselves.
 */
public final class PrefixCache implements StepCache {
  private final int length;
  private final int shift;
  private final NDManager owner;
  private final LayerCache[] layers;
  private final int layerCount;
  private long steps;
  private long blockStarts;

  /**
   * @param shift 1 for Dream: the row before the block is fed too (query only) for the shifted logits
   */
  public PrefixCache(int length, int shift, int fromLayer, int toLayer, NDManager owner) {
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
        layers[layer].replace(Slices.keep(k, 0, blockStart, owner), Slices.keep(v, 0, blockStart, owner));
        return new AttentionKeys(k, v, null);
      };
      return new StepPlan(0, length, 0, saving);
    }
    int from = blockStart - shift;
    KvView cached = (layer, k, v, step) -> {
      LayerCache c = layers[layer];
      NDArray freshK = Slices.rows(k, shift, k.getShape().get(1));
      NDArray freshV = Slices.rows(v, shift, v.getShape().get(1));
      return new AttentionKeys(Slices.concat(step, c.k, freshK), Slices.concat(step, c.v, freshV), null);
    };
    return new StepPlan(from, length, shift, cached);
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
