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
  private final int[][][] kept;
  private final List<EvictionDecision> decisions = new ArrayList<>();
  private final Consumer<EvictionDecision> decisionListener;
  private final boolean dualResponse;
  private final LayerCache[] response;
  private final int layerCount;
  private long steps;
  private long recomputed;
  private boolean built;

  /**
   * @param layerBudgets per-head budget k_l of each absolute layer (entries outside this shard are ignored)
   * @param scorer null for {@code full}
   */
  public CompressedPromptCache(EvictionMethod method, Scorer scorer, int[] layerBudgets, int promptLength,
      int length, int shift, int kvHeads, int fromLayer, int toLayer, NDManager owner,
      Consumer<EvictionDecision> decisionListener) {
    this(method, scorer, layerBudgets, promptLength, length, shift, kvHeads, fromLayer, toLayer, owner,
        decisionListener, false);
  }

  /**
   * @param dualResponse Fast-dLLM dual cache on the response side: response K/V refreshed at each block start,
   *     the block's other steps feed only the block; otherwise every step recomputes all response rows
   */
  public CompressedPromptCache(EvictionMethod method, Scorer scorer, int[] layerBudgets, int promptLength,
      int length, int shift, int kvHeads, int fromLayer, int toLayer, NDManager owner,
      Consumer<EvictionDecision> decisionListener, boolean dualResponse) {
    this.dualResponse = dualResponse;
    this.response = new LayerCache[toLayer];
    for (int l = fromLayer; l < toLayer; l++) {
      response[l] = new LayerCache();
    }
    this.layerCount = toLayer - fromLayer;
    this.method = method;
    this.scorer = scorer;
    this.layerBudgets = layerBudgets;
    this.promptLength = promptLength;
    this.length = length;
    this.shift = shift;
    this.kvHeads = kvHeads;
    this.owner = owner;
    this.layers = new PromptKv[toLayer];
    this.kept = new int[toLayer][][];
    this.decisionListener = decisionListener == null ? d -> {} : decisionListener;
  }

  @Override
  public StepPlan plan(io.maskkv.common.decode.StepRequest r) {
    return plan(r.blockStart(), r.blockEnd(), r.firstOfBlock());
  }

  @Override
  public StepPlan plan(int blockStart, int blockEnd, boolean firstStepOfBlock) {
    steps++;
    if (!built) {
      built = true;
      recomputed++;
      return new StepPlan(0, length, 0, evicting());
    }
    if (!dualResponse) {
      recomputed++; // every step recomputes all response rows
      return new StepPlan(promptLength - shift, length, shift, responseRows(false));
    }
    if (firstStepOfBlock) {
      recomputed++;
      return new StepPlan(promptLength - shift, length, shift, responseRows(true));
    }
    KvView block = (layer, k, v, step) -> {
      PromptKv p = layers[layer];
      LayerCache r = response[layer];
      long fed = k.getShape().get(1);
      int from = blockStart - promptLength;
      int to = blockEnd - promptLength;
      int g = length - promptLength;
      java.util.List<NDArray> ks = new ArrayList<>(java.util.List.of(p.k()));
      java.util.List<NDArray> vs = new ArrayList<>(java.util.List.of(p.v()));
      if (from > 0) {
        ks.add(Slices.rowsIn(r.k, 0, from, step));
        vs.add(Slices.rowsIn(r.v, 0, from, step));
      }
      ks.add(Slices.rows(k, shift, fed));
      vs.add(Slices.rows(v, shift, fed));
      if (to < g) {
        ks.add(Slices.rowsIn(r.k, to, g, step));
        vs.add(Slices.rowsIn(r.v, to, g, step));
      }
      return new AttentionKeys(Slices.concat(step, ks.toArray(new NDArray[0])),
          Slices.concat(step, vs.toArray(new NDArray[0])), p.fullMask());
    };
    return new StepPlan(blockStart - shift, blockEnd, shift, block);
  }

  /** The response rows against the frozen prompt; with {@code save}, their K/V are kept for the block's steps. */
  private KvView responseRows(boolean save) {
    return (layer, k, v, step) -> {
      PromptKv p = layers[layer];
      long fed = k.getShape().get(1);
      NDArray freshK = Slices.rows(k, shift, fed);
      NDArray freshV = Slices.rows(v, shift, fed);
      if (save) {
        response[layer].replace(Slices.keep(k, shift, fed, owner), Slices.keep(v, shift, fed, owner));
      }
      return new AttentionKeys(Slices.concat(step, p.k(), freshK), Slices.concat(step, p.v(), freshV),
          p.fullMask());
    };
  }

  /** The compressed prompt K/V of a layer (null before the first step reached it). */
  PromptKv promptKv(int layer) {
    return layers[layer];
  }

  /** Kept prompt positions of a layer, per KV head (ascending). */
  int[][] keptPositions(int layer) {
    return kept[layer];
  }

  int promptLength() {
    return promptLength;
  }

  @Override
  public long layerStepsRecomputed() {
    return recomputed * layerCount;
  }

  @Override
  public long layerSteps() {
    return steps * layerCount;
  }

  KvView evicting() {
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
    this.kept[layer] = kept;
    if (dualResponse) { // the first step is also the first block's start
      long total = k.getShape().get(1);
      response[layer].replace(Slices.keep(k, promptLength, total, owner), Slices.keep(v, promptLength, total, owner));
    }
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
    return Arrays.stream(layers).filter(Objects::nonNull).mapToLong(PromptKv::bytes).sum()
        + Arrays.stream(response).filter(Objects::nonNull).mapToLong(LayerCache::bytes).sum();
  }

  @Override
  public void close() {
    Arrays.stream(response).filter(Objects::nonNull).forEach(LayerCache::clear);
    for (int i = 0; i < layers.length; i++) {
      if (layers[i] != null) {
        layers[i].close();
        layers[i] = null;
      }
    }
  }
}
