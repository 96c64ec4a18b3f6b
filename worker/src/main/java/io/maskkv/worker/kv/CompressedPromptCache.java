package io.maskkv.worker.kv;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.maskkv.common.budget.EvictionDecision;
import io.maskkv.common.budget.EvictionMethod;
import io.maskkv.worker.engine.AttentionKeys;
import io.maskkv.worker.engine.KvView;
import io.maskkv.worker.engine.Queries;
import io.maskkv.worker.evict.Scorer;
import io.maskkv.worker.evict.Scores;
import io.maskkv.worker.evict.TopK;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * The MaskKV prompt cache. The first step is a full forward over prompt and masks; right after each layer's
 * attention the layer's prompt K/V is scored, cut to its per-head budgets and copied into the layer's buffer
 * (kept prompt slots, then one row per response position), and the layer's full K/V dies with the layer's scope
 * before the next layer runs. Later steps feed response rows only; they attend over the frozen compressed
 * prompt and the response rows, written in place into the same buffer.
 *
 * <p>A re-voting method ({@link EvictionMethod#revote}) also keeps each evicting layer's whole prompt K/V aside.
 * At every later step (with the dual response cache: every block's first step), before the fed rows attend, the
 * answer so far and the masks of the current block and the next score the whole prompt (the same scorer and head
 * split as the first step, over the same k_l) and the layer's prompt slots are gathered again from what they
 * chose; the step attends over the new choice only.
 */
public final class CompressedPromptCache extends LayerBuffers {
  private final EvictionMethod method;
  private final Scorer scorer;
  private final int[] layerBudgets;
  private final int promptLength;
  private final int length;
  private final int shift;
  private final int kvHeads;
  private final NDManager owner;
  private final int[][][] kept;
  private final Consumer<EvictionDecision> decisionListener;
  private final boolean dualResponse;
  /** Re-voting only: each evicting layer's whole prompt K/V {@code [kvHeads, promptLength, hd]}, else null. */
  private final NDArray[] wholeK;
  private final NDArray[] wholeV;
  private boolean built;

  public CompressedPromptCache(EvictionMethod method, Scorer scorer, int[] layerBudgets, int promptLength,
      int length, int shift, int kvHeads, int fromLayer, int toLayer, NDManager owner,
      Consumer<EvictionDecision> decisionListener) {
    this(method, scorer, layerBudgets, promptLength, length, shift, kvHeads, fromLayer, toLayer, owner,
        decisionListener, false);
  }

  /**
   * @param layerBudgets per-head budget k_l of each absolute layer (entries outside this shard are ignored)
   * @param scorer null for {@code full}
   * @param dualResponse Fast-dLLM dual cache on the response side: response K/V refreshed at each block start,
   *     the block's other steps feed only the block; otherwise every step recomputes all response rows
   */
  public CompressedPromptCache(EvictionMethod method, Scorer scorer, int[] layerBudgets, int promptLength,
      int length, int shift, int kvHeads, int fromLayer, int toLayer, NDManager owner,
      Consumer<EvictionDecision> decisionListener, boolean dualResponse) {
    super(fromLayer, toLayer);
    this.method = method;
    this.scorer = scorer;
    this.layerBudgets = layerBudgets;
    this.promptLength = promptLength;
    this.length = length;
    this.shift = shift;
    this.kvHeads = kvHeads;
    this.owner = owner;
    this.kept = new int[toLayer][][];
    this.decisionListener = decisionListener == null ? d -> {} : decisionListener;
    this.dualResponse = dualResponse;
    this.wholeK = new NDArray[toLayer];
    this.wholeV = new NDArray[toLayer];
  }

  @Override
  public StepPlan plan(int blockStart, int blockEnd, boolean firstStepOfBlock) {
    boolean everyRow = !built || !dualResponse || firstStepOfBlock;
    countStep(everyRow);
    if (!built) {
      built = true;
      return new StepPlan(0, length, 0, evicting());
    }
    if (method.revote() && everyRow) { // the dual response cache feeds every row only at a block's start
      return new StepPlan(promptLength - shift, length, shift, revoting(blockStart, blockEnd));
    }
    if (everyRow) {
      return new StepPlan(promptLength - shift, length, shift, writing(0));
    }
    return new StepPlan(blockStart - shift, blockEnd, shift, writing(blockStart - promptLength));
  }

  /** Fed rows (after the query-only ones) write their K/V at response offset {@code from}, then attend. */
  private KvView writing(int from) {
    return (layer, k, v, step) -> {
      long fed = k.getShape().get(1);
      layers[layer].write(from, Slices.rows(k, shift, fed), Slices.rows(v, shift, fed));
      return layers[layer].keys(step);
    };
  }

  /**
   * A later step under a re-voting method (with the dual response cache, a block's first step only): every
   * response row is fed, and before they attend each evicting layer chooses its prompt slots again. The voters
   * are the answer so far, this block's masks and the next block's: a decoded word's row looks up what that word
   * names, which no mask could ask for before the word was known, and it is the next word's mask that reads the
   * statement a chain continues with, so whether the answer goes on is decided there. Masks further on know no
   * more than the first step's did; with every row voting the vote was worse (docs/accuracy.md, "A re-vote per
   * step").
   */
  private KvView revoting(int blockStart, int blockEnd) {
    return new KvView() {
      @Override
      public AttentionKeys keys(int layer, NDArray k, NDArray v, NDManager step) {
        throw new IllegalStateException("a re-vote needs the fed rows' queries");
      }

      @Override
      public AttentionKeys keys(int layer, Queries q, NDArray k, NDArray v, NDManager step) {
        if (wholeK[layer] != null) {
          long fed = k.getShape().get(1);
          int nextBlockEnd = Math.min(length, blockEnd + (blockEnd - blockStart));
          revote(layer, voters(q, shift, shift + nextBlockEnd - promptLength), Slices.rows(k, shift, fed), step);
        }
        return writing(0).keys(layer, k, v, step); // then as any step that feeds every response row
      }
    };
  }

  /** Re-scores the layer's whole prompt with the voting rows, and regathers its slots from their choice. */
  private void revote(int layer, Queries voters, NDArray responseK, NDManager step) {
    // the scorers read keys only (Scorer#score), so the values are not joined
    AttentionKeys whole = new AttentionKeys(Slices.concat(step, wholeK[layer], responseK), null, null);
    Choice c = choose(layer, voters, whole, step);
    long hd = wholeK[layer].getShape().get(2);
    KvBuffer regathered = gather(wholeK[layer], wholeV[layer], c.kept(), hd, step);
    layers[layer].close();
    layers[layer] = regathered;
    kept[layer] = c.kept();
    decisionListener.accept(new EvictionDecision(layer, layerBudgets[layer], c.budgets(), c.kept(), c.preference(),
        fullPromptBytes(hd), regathered.promptBytes() + wholeBytes(layer)));
  }

  /**
   * The fed rows {@code [from, to)} numbered from {@code promptLength}, as the scorers number the mask rows that
   * vote (they were written for the first step, whose rows are the prompt's, then the masks').
   */
  private Queries voters(Queries q, long from, long to) {
    long offset = from - promptLength;
    return new Queries() {
      @Override
      public long count() {
        return to - offset;
      }

      @Override
      public NDArray rows(long first, long end, NDManager scope) {
        if (first < promptLength || end > count()) {
          throw new IllegalStateException("a re-vote has voting rows [" + promptLength + ", " + count()
              + "), not [" + first + ", " + end + ")");
        }
        return q.rows(first + offset, end + offset, scope);
      }
    };
  }

  /** A layer's whole prompt K/V in fp32: what a decision frees from. */
  private long fullPromptBytes(long hd) {
    return 2L * kvHeads * promptLength * hd * Float.BYTES;
  }

  private long wholeBytes(int layer) {
    return Slices.bytes(wholeK[layer]) + Slices.bytes(wholeV[layer]);
  }

  KvView evicting() {
    return new KvView() {
      @Override
      public AttentionKeys keys(int layer, NDArray k, NDArray v, NDManager step) {
        return new AttentionKeys(k, v, null);
      }

      @Override
      public void afterAttention(int layer, Queries q, AttentionKeys keys, NDManager scope) {
        evict(layer, q, keys, scope);
      }
    };
  }

  private void evict(int layer, Queries q, AttentionKeys keys, NDManager scope) {
    NDArray k = keys.k();
    NDArray v = keys.v();
    long hd = k.getShape().get(2);
    long before = fullPromptBytes(hd);
    int[] budgets;
    double[] preference = null;
    int[][] keptNow = new int[kvHeads][];
    if (scorer == null) {
      budgets = keepAll();
      Arrays.fill(keptNow, TopK.select(new float[promptLength], promptLength));
    } else {
      Choice c = choose(layer, q, keys, scope);
      preference = c.preference();
      budgets = c.budgets();
      keptNow = c.kept();
    }
    KvBuffer buffer = gather(k, v, keptNow, hd, scope);
    layers[layer] = buffer;
    kept[layer] = keptNow;
    if (method.revote() && scorer != null && layerBudgets[layer] < promptLength) {
      wholeK[layer] = Slices.keep(k, 0, promptLength, owner);
      wholeV[layer] = Slices.keep(v, 0, promptLength, owner);
    }
    if (dualResponse) { // the first step is also the first block's start
      long total = k.getShape().get(1);
      buffer.write(0, Slices.rows(k, promptLength, total), Slices.rows(v, promptLength, total));
    }
    EvictionDecision d = new EvictionDecision(layer, scorer == null ? promptLength : layerBudgets[layer], budgets,
        keptNow, preference, before, buffer.promptBytes() + wholeBytes(layer));
    decisionListener.accept(d);
  }

  /** Each head's budget and kept positions (ascending), and the heads' preference where the scorer measures it. */
  private record Choice(int[] budgets, int[][] kept, double[] preference) {}

  private Choice choose(int layer, Queries q, AttentionKeys keys, NDManager scope) {
    Scores s = scorer.score(layer, q, keys, promptLength, kvHeads, layerBudgets[layer], scope);
    int[] budgets = layerBudgets[layer] >= promptLength ? keepAll() // nothing to choose: no head may lose a token
        : method.allocator().heads().split(layerBudgets[layer], s.perHead(), s.preference());
    int[][] keptNow = new int[kvHeads][];
    for (int h = 0; h < kvHeads; h++) {
      budgets[h] = Math.max(0, Math.min(budgets[h], promptLength));
      keptNow[h] = TopK.select(s.perHead()[h], budgets[h]);
    }
    return new Choice(budgets, keptNow, s.preference());
  }

  private int[] keepAll() {
    int[] all = new int[kvHeads];
    Arrays.fill(all, promptLength);
    return all;
  }

  /**
   * Each head's kept prompt rows, then room for the response rows. Heads that keep the same number of positions
   * share one dense {@code [kvHeads, kept + rows, hd]} tensor; otherwise each head's rows are packed back to back,
   * so every head holds exactly its own kept positions (see {@link KvBuffer}).
   */
  private KvBuffer gather(NDArray k, NDArray v, int[][] keptNow, long hd, NDManager scope) {
    long total = k.getShape().get(1);
    int rows = length - promptLength;
    int[] lengths = Arrays.stream(keptNow).mapToInt(p -> p.length).toArray();
    boolean ragged = Arrays.stream(lengths).anyMatch(n -> n != lengths[0]);
    long[] flat = new long[Arrays.stream(lengths).sum()];
    int i = 0;
    for (int h = 0; h < kvHeads; h++) {
      for (int pos : keptNow[h]) {
        flat[i++] = h * total + pos;
      }
    }
    NDArray index = scope.create(flat);
    NDArray keptK = Slices.flat(k, kvHeads * total, hd, scope).get(index); // [Σ_h len_h, hd], a copy of its own
    NDArray keptV = Slices.flat(v, kvHeads * total, hd, scope).get(index);
    keptK.attach(scope);
    keptV.attach(scope);
    if (ragged) {
      return KvBuffer.ragged(keptK, keptV, lengths, rows, owner);
    }
    return KvBuffer.withRows(keptK.reshape(kvHeads, lengths[0], hd), keptV.reshape(kvHeads, lengths[0], hd), rows,
        owner);
  }

  /** The layer's buffer: compressed prompt slots, then one row per response position. */
  KvBuffer buffer(int layer) {
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
  public long bytes() {
    long whole = 0;
    for (int l = 0; l < wholeK.length; l++) {
      whole += wholeBytes(l);
    }
    return super.bytes() + whole;
  }

  @Override
  public void close() {
    super.close();
    for (int l = 0; l < wholeK.length; l++) {
      if (wholeK[l] != null) {
        wholeK[l].close();
        wholeV[l].close();
        wholeK[l] = null;
        wholeV[l] = null;
      }
    }
  }

}
