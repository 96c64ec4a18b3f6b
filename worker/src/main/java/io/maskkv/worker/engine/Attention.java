package io.maskkv.worker.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;

/**
 * Bidirectional scaled-dot-product attention computed in query chunks, so a long prompt never materialises a
 * T×T score matrix. GQA is handled by folding each KV head's query group into the row axis
 * ({@code [kv, group*rows, hd]}), so K/V are never expanded.
 */
public final class Attention {
  /** Scores per chunk are at most this many floats (64 MiB). */
  static final long CHUNK_SCORE_ELEMENTS = 1L << 24;
  /** Additive mask value for padding slots; finite so that a softmax row never becomes NaN. */
  public static final float MASKED = -1e30f;

  private Attention() {}

  /**
   * @param q post-RoPE queries {@code [heads, n, hd]}
   * @return attention output {@code [n, heads*hd]}
   */
  public static NDArray attend(NDArray q, AttentionKeys keys, int kvHeads) {
    return attend(q, keys, kvHeads, CHUNK_SCORE_ELEMENTS);
  }

  static NDArray attend(NDArray q, AttentionKeys keys, int kvHeads, long chunkElements) {
    long heads = q.getShape().get(0);
    long n = q.getShape().get(1);
    long hd = q.getShape().get(2);
    long group = heads / kvHeads;
    long nk = keys.keyCount();
    NDArray grouped = q.mul((float) (1.0 / Math.sqrt(hd))).reshape(kvHeads, group, n, hd);
    NDArray kt = keys.k().transpose(0, 2, 1); // [kv, hd, nk]
    kt.attach(q.getManager()); // keys may live in a session's store; this view must die with the step
    long chunk = Math.max(1, chunkElements / Math.max(1, heads * nk));
    NDList outs = new NDList();
    NDManager outer = q.getManager();
    for (long c0 = 0; c0 < n; c0 += chunk) {
      long c = Math.min(chunk, n - c0);
      // each chunk's scores live in their own scope: kept until the layer ends they would add up to T×T
      try (NDManager scope = outer.newSubManager()) {
        NDArray qc = grouped.get(":, :, " + c0 + ":" + (c0 + c) + ", :");
        qc.attach(scope);
        NDArray scores = qc.reshape(kvHeads, group * c, hd).matMul(kt); // [kv, group*c, nk]
        if (keys.mask() != null) {
          scores = scores.add(keys.mask());
        }
        NDArray o = scores.softmax(-1).matMul(keys.v()).reshape(heads, c, hd); // [heads, c, hd]
        o.attach(outer);
        outs.add(o);
      }
    }
    NDArray all = outs.size() == 1 ? outs.get(0) : NDArrays.concat(outs, 1); // [heads, n, hd]
    return all.transpose(1, 0, 2).reshape(n, heads * hd);
  }

  /**
   * Column sums of the attention probabilities of the given query rows: {@code out[h, j] = Σ_i A[h, i, j]}
   * (MaskKV eq. 6-7 before the prompt columns are cut out). Computed in row chunks.
   *
   * @param q queries {@code [heads, m, hd]}
   * @return {@code [heads, nk]}
   */
  public static NDArray columnSums(NDArray q, AttentionKeys keys, int kvHeads) {
    long heads = q.getShape().get(0);
    long m = q.getShape().get(1);
    long hd = q.getShape().get(2);
    long group = heads / kvHeads;
    long nk = keys.keyCount();
    NDArray grouped = q.mul((float) (1.0 / Math.sqrt(hd))).reshape(kvHeads, group, m, hd);
    NDArray kt = keys.k().transpose(0, 2, 1);
    kt.attach(q.getManager());
    long chunk = Math.max(1, CHUNK_SCORE_ELEMENTS / Math.max(1, heads * nk));
    NDManager outer = q.getManager();
    NDArray total = null;
    for (long c0 = 0; c0 < m; c0 += chunk) {
      long c = Math.min(chunk, m - c0);
      try (NDManager scope = outer.newSubManager()) {
        NDArray qc = grouped.get(":, :, " + c0 + ":" + (c0 + c) + ", :");
        qc.attach(scope);
        NDArray scores = qc.reshape(kvHeads, group * c, hd).matMul(kt);
        if (keys.mask() != null) {
          scores = scores.add(keys.mask());
        }
        NDArray sums = scores.softmax(-1).reshape(kvHeads, group, c, nk).sum(new int[] {2}); // [kv, group, nk]
        NDArray next = total == null ? sums : total.add(sums);
        next.attach(outer);
        if (total != null) {
          total.close();
        }
        total = next;
      }
    }
    return total.reshape(heads, nk);
  }

  /**
   * Attention probabilities of a few query rows over all keys, {@code [heads, rows, nk]} (Elastic-Cache's drift
   * test and tracking need them for a handful of rows only).
   */
  public static NDArray probabilities(NDArray q, AttentionKeys keys, int kvHeads) {
    long heads = q.getShape().get(0);
    long m = q.getShape().get(1);
    long hd = q.getShape().get(2);
    long group = heads / kvHeads;
    long nk = keys.keyCount();
    NDArray kt = keys.k().transpose(0, 2, 1);
    kt.attach(q.getManager());
    NDArray scores = q.mul((float) (1.0 / Math.sqrt(hd))).reshape(kvHeads, group * m, hd).matMul(kt);
    if (keys.mask() != null) {
      scores = scores.add(keys.mask());
    }
    return scores.softmax(-1).reshape(heads, m, nk);
  }
}
