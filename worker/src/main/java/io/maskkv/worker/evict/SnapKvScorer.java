package io.maskkv.worker.evict;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.maskkv.worker.engine.Attention;
import io.maskkv.worker.engine.AttentionKeys;
import io.maskkv.worker.engine.Queries;

/**
 * SnapKV: the observation window (the last 32 prompt tokens) votes with its attention over all keys (the
 * dLLM's attention is bidirectional, so no causal mask), scores are max-pooled with kernel 7, and the window
 * itself is always kept. The window counts inside the budget, so every method keeps exactly its budget.
 *
 * <p>Below a budget of 32 per head the reference rule (kvpress, and SnapKV's own code, which never runs there)
 * leaves nothing to the vote: the top-k of the forced scores is the last k prompt tokens. The {@code shrink}
 * variant ({@code snapkv-shrink}) keeps the 32 voting rows but force-keeps only the last min(32, ⌊k/2⌋) prompt
 * tokens, so at least half of any budget goes to the vote; at k ≥ 64 it is the reference.
 */
public final class SnapKvScorer implements Scorer {
  /** SnapKV observation window w = 32. */
  public static final int WINDOW = 32;
  /** SnapKV pooling kernel 7 (LongBench default in AdaKV / KVCache-Factory). */
  public static final int KERNEL = 7;

  private final boolean shrink;

  /** The reference rule: the whole window is kept whatever the budget. */
  public SnapKvScorer() {
    this(false);
  }

  /** @param shrink force-keep only min(window, ⌊k/2⌋) tokens of the window at per-head budget k */
  public SnapKvScorer(boolean shrink) {
    this.shrink = shrink;
  }

  @Override
  public Scores score(int layer, Queries q, AttentionKeys keys, int promptLength, int kvHeads, NDManager scope) {
    return score(layer, q, keys, promptLength, kvHeads, Integer.MAX_VALUE, scope);
  }

  @Override
  public Scores score(int layer, Queries q, AttentionKeys keys, int promptLength, int kvHeads, int layerBudget,
      NDManager scope) {
    int w = Math.min(WINDOW, promptLength);
    int forced = shrink ? Math.min(w, layerBudget / 2) : w;
    NDArray window = q.rows(promptLength - w, promptLength, scope);
    NDArray col = Attention.columnSums(window, keys, kvHeads); // [H, S]
    NDArray prompt = col.get(":, 0:" + promptLength);
    NDArray pref = prompt.sum(new int[] {1}).div((float) w).reshape(-1, 1);
    float[][] scores = GroupReduce.rows(GroupReduce.mean(prompt, kvHeads));
    float[] p = GroupReduce.mean(pref, kvHeads).toFloatArray();
    double[] preference = new double[p.length];
    for (int h = 0; h < scores.length; h++) {
      scores[h] = maxPool(scores[h], KERNEL);
      for (int j = promptLength - forced; j < promptLength; j++) {
        scores[h][j] = FORCED + (j - (promptLength - forced)) * FORCED_STEP;
      }
      preference[h] = p[h];
    }
    return new Scores(scores, preference);
  }

  /** max_pool1d(kernel, stride 1, padding kernel/2). */
  static float[] maxPool(float[] x, int kernel) {
    int r = kernel / 2;
    float[] out = new float[x.length];
    for (int i = 0; i < x.length; i++) {
      float m = Float.NEGATIVE_INFINITY;
      for (int j = Math.max(0, i - r); j <= Math.min(x.length - 1, i + r); j++) {
        m = Math.max(m, x[j]);
      }
      out[i] = m;
    }
    return out;
  }
}
