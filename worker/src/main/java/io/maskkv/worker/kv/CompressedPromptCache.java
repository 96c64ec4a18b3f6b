package io.maskkv.worker.kv;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.maskkv.common.budget.EvictionMethod;
import io.maskkv.worker.engine.Attention;
import io.maskkv.worker.engine.AttentionKeys;
import io.maskkv.worker.engine.KvView;
import io.maskkv.worker.evict.EvictionDecision;
import io.maskkv.worker.evict.Scorer;
import io.maskkv.worker.evict.Scores;
import io.maskkv.worker.evict.TopK;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * The MaskKV prompt cache. The first step is a full forward over prompt and masks; right after each layer's
 * attention the layer's prompt K/V is scored, cut to its per-head budgets and copied into the store, and the
 * layer's full K/V dies with the layer's scope before the next layer runs. Later steps feed only the response
 * rows, which attend over the frozen compressed prompt and themselves.
 */
public final class CompressedPromptCache implements StepCache {
  private final EvictionMethod method;
  private final Scorer scorer;
  private final int[] layerBudgets;
  private final int promptLength;
  private final int length;
  private final int shift;
  private final int kvHeads;
  private final NDManager owner;
  private final PromptKv[] layers;
  private final List<EvictionDecision> decisions = new ArrayList<>();
  private final Consumer<EvictionDecision> decisionListener;
  private boolean built;

  /**
   * @param layerBudgets per-head budget k_l of each absolute layer (entries outside this shard are ignored)
   * @param scorer null for {@code full}
   */
  public CompressedPromptCache(EvictionMethod method, Scorer scorer, int[] layerBudgets, int promptLength,
      int length, int shift, int kvHeads, int fromLayer, int toLayer, NDManager owner,
      Consumer<EvictionDecision> decisionListener) {
    this.method = method;
    this.scorer = scorer;
    this.layerBudgets = layerBudgets;
    this.promptLength = promptLength;
    this.length = length;
    this.shift = shift;
    this.kvHeads = kvHeads;
    this.owner = owner;
    this.layers = new PromptKv[toLayer];
    this.decisionListener = decisionListener == null ? d -> {} : decisionListener;
  }

  @Override
  public StepPlan plan(int blockStart, int blockEnd, boolean firstStepOfBlock) {
    if (!built) {
      built = true;
      return new StepPlan(0, length, 0, evicting());
    }
    KvView cached = (layer, k, v, step) -> {
      PromptKv p = layers[layer];
      long fed = k.getShape().get(1);
      NDArray freshK = Slices.rows(k, shift, fed);
      NDArray freshV = Slices.rows(v, shift, fed);
      return new AttentionKeys(Slices.concat(step, p.k(), freshK), Slices.concat(step, p.v(), freshV),
          p.fullMask());
    };
    return new StepPlan(promptLength - shift, length, shift, cached);
  }

  private KvView evicting() {
    return new KvView() {
      @Override
      public AttentionKeys keys(int layer, NDArray k, NDArray v, NDManager step) {
        return new AttentionKeys(k, v, null);
      }

      @Override
      public void afterAttention(int layer, NDArray q, AttentionKeys keys, NDManager scope) {
        evict(layer, q, keys, scope);
      }
    };
  }

  private void evict(int layer, NDArray q, AttentionKeys keys, NDManager scope) {
    NDArray k = keys.k();
    NDArray v = keys.v();
    long hd = k.getShape().get(2);
    long before = 2L * kvHeads * promptLength * hd * Float.BYTES;
    int[][] kept;
    int[] budgets;
    double[] preference = null;
    PromptKv store;
    if (scorer == null) {
      budgets = new int[kvHeads];
      Arrays.fill(budgets, promptLength);
      kept = new int[kvHeads][];
      Arrays.fill(kept, TopK.select(new float[promptLength], promptLength));
      store = new PromptKv(Slices.keep(k, 0, promptLength, owner), Slices.keep(v, 0, promptLength, owner), null,
          null);
    } else {
      Scores s = scorer.score(layer, q, keys, promptLength, kvHeads, scope);
      preference = s.preference();
      budgets = layerBudgets[layer] >= promptLength ? keepAll() // nothing to choose: no head may lose a token
          : method.allocator().heads().split(layerBudgets[layer], s.perHead(), preference);
      kept = new int[kvHeads][];
      for (int h = 0; h < kvHeads; h++) {
        budgets[h] = Math.max(0, Math.min(budgets[h], promptLength));
        kept[h] = TopK.select(s.perHead()[h], budgets[h]);
      }
      store = gather(k, v, kept, hd, scope);
    }
    layers[layer] = store;
    EvictionDecision d = new EvictionDecision(layer, scorer == null ? promptLength : layerBudgets[layer], budgets,
        kept, preference, before, store.bytes());
    decisions.add(d);
    decisionListener.accept(d);
  }

  private int[] keepAll() {
    int[] all = new int[kvHeads];
    Arrays.fill(all, promptLength);
    return all;
  }

  /** Copies each head's kept rows into a padded {@code [kvHeads, maxKept, hd]} tensor owned by the session. */
  private PromptKv gather(NDArray k, NDArray v, int[][] kept, long hd, NDManager scope) {
    int maxKept = Arrays.stream(kept).mapToInt(p -> p.length).max().orElse(0);
    long total = k.getShape().get(1);
    long[] flat = new long[kvHeads * maxKept];
    float[] mask = new float[kvHeads * maxKept];
    boolean ragged = false;
    for (int h = 0; h < kvHeads; h++) {
      for (int j = 0; j < maxKept; j++) {
        boolean valid = j < kept[h].length;
        flat[h * maxKept + j] = h * total + (valid ? kept[h][j] : 0);
        mask[h * maxKept + j] = valid ? 0f : Attention.MASKED;
        ragged |= !valid;
      }
    }
    NDArray index = scope.create(flat);
    NDArray keptK = k.reshape(kvHeads * total, hd).get(index).reshape(kvHeads, maxKept, hd);
    NDArray keptV = v.reshape(kvHeads * total, hd).get(index).reshape(kvHeads, maxKept, hd);
    keptK = keptK.duplicate();
    keptV = keptV.duplicate();
    keptK.attach(owner);
    keptV.attach(owner);
    NDArray m = null;
    NDArray full = null;
    if (ragged) {
      int fed = length - promptLength;
      float[] withResponse = new float[kvHeads * (maxKept + fed)];
      for (int h = 0; h < kvHeads; h++) {
        System.arraycopy(mask, h * maxKept, withResponse, h * (maxKept + fed), maxKept);
      }
      m = owner.create(mask, new Shape(kvHeads, 1, maxKept));
      full = owner.create(withResponse, new Shape(kvHeads, 1, maxKept + fed));
    }
    return new PromptKv(keptK, keptV, m, full);
  }

  public List<EvictionDecision> decisions() {
    return decisions;
  }

  @Override
  public long bytes() {
    return Arrays.stream(layers).filter(Objects::nonNull).mapToLong(PromptKv::bytes).sum();
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
