package io.maskkv.worker.kv;

import ai.djl.ndarray.NDManager;
import io.maskkv.worker.engine.AttentionKeys;
import io.maskkv.worker.engine.KvView;

/**
 * Fast-dLLM's block caches. At each block start a full forward writes every position's K/V into the layer's
 * buffer; the block's other steps feed only part of the sequence, write their fresh K/V over their own
 * positions and attend over the whole buffer.
 * <ul>
 *   <li>prefix cache: the block and everything after it are fed (the cached prefix is prompt + finished blocks)
 *   <li>dual cache: only the block is fed (prefix and suffix both come from the cache)
 * </ul>
 */
public final class BlockCache extends LayerBuffers {
  private final boolean dual;
  private final int length;
  private final int shift;
  private final NDManager owner;

  /**
   * @param shift 1 for Dream: the row before the fed range is fed too (query only) for the shifted logits
   */
  public BlockCache(boolean dual, int length, int shift, int fromLayer, int toLayer, NDManager owner) {
    super(fromLayer, toLayer);
    this.dual = dual;
    this.length = length;
    this.shift = shift;
    this.owner = owner;
  }

  @Override
  public StepPlan plan(int blockStart, int blockEnd, boolean firstStepOfBlock) {
    countStep(firstStepOfBlock);
    if (firstStepOfBlock) {
      KvView saving = (layer, k, v, step) -> {
        if (layers[layer] == null) {
          layers[layer] = KvBuffer.copyOf(k, v, owner);
        } else {
          layers[layer].write(0, k, v);
        }
        return new AttentionKeys(k, v, null);
      };
      return new StepPlan(0, length, 0, saving);
    }
    KvView cached = (layer, k, v, step) -> {
      long fed = k.getShape().get(1);
      layers[layer].write(blockStart, Slices.rows(k, shift, fed), Slices.rows(v, shift, fed));
      return layers[layer].keys(step);
    };
    return new StepPlan(blockStart - shift, dual ? blockEnd : length, shift, cached);
  }

}
