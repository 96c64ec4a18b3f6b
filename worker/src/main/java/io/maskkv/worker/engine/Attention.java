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
  /**
   * Scores per chunk are at most this many floats (16 MiB; a chunk holds its scores, their softmax and one
   * temporary at once, and at a 32k prompt 64 MiB chunks were a third of the prefill's peak memory). Smaller
   * chunks cost time, not memory: every chunk reads all keys, and at 4 MiB a 16k prefill took 45.5 s instead of
   * 32.5 s (64 MiB: 30.8 s).
   */
  static final long CHUNK_SCORE_ELEMENTS = 1L << 22;
  /** Additive mask value for padding slots; finite so that a softmax row never becomes NaN. */
  public static final float MASKED = -1e30f;

  private Attention() {}

  /** Receives one chunk's attention probabilities {@code [kv, group*rows, nk]} inside the chunk's scope. */
  private interface ChunkConsumer {
    void accept(NDArray probabilities, long rows, NDManager outer);
  }

  /**
   * Softmax(q·kᵀ/√hd + mask) over row chunks of {@code q [heads, n, hd]}; each chunk's scores live in their own
   * scope, since kept until the layer ends they would add up to the T×T matrix chunking avoids.
   */
  private static void chunks(NDArray q, AttentionKeys keys, int kvHeads, long chunkElements, ChunkConsumer out) {
    long heads = q.getShape().get(0);
    long n = q.getShape().get(1);
    long hd = q.getShape().get(2);
    long group = heads / kvHeads;
    long nk = keys.keyCount();
    NDManager outer = q.getManager();
    NDArray grouped = q.mul((float) (1.0 / Math.sqrt(hd))).reshape(kvHeads, group, n, hd);
    NDArray kt = keys.k().transpose(0, 2, 1); // [kv, hd, nk]
    kt.attach(outer); // keys may live in a session's store; this view must die with the step
    long chunk = Math.max(1, chunkElements / Math.max(1, heads * nk));
    for (long c0 = 0; c0 < n; c0 += chunk) {
      long c = Math.min(chunk, n - c0);
      try (NDManager scope = outer.newSubManager()) {
        // a cached step is one chunk: its queries need no slicing (a string-indexed slice costs several native calls)
        NDArray qc = c == n ? grouped : grouped.get(":, :, " + c0 + ":" + (c0 + c) + ", :");
        qc.attach(scope); // what is computed from it then belongs to the chunk's scope
        NDArray scores = qc.reshape(kvHeads, group * c, hd).matMul(kt); // [kv, group*c, nk]
        if (keys.mask() != null) {
          scores = scores.add(keys.mask());
        }
        out.accept(scores.softmax(-1), c, outer);
      }
    }
  }

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
    NDList outs = new NDList();
    chunks(q, keys, kvHeads, chunkElements, (p, rows, outer) -> {
      NDArray o = p.matMul(keys.v()).reshape(heads, rows, hd); // [heads, rows, hd]
      o.attach(outer);
      outs.add(o);
    });
    NDArray all = outs.size() == 1 ? outs.get(0) : NDArrays.concat(outs, 1); // [heads, n, hd]
    return all.transpose(1, 0, 2).reshape(n, heads * hd);
  }

  /**
   * Column sums of the attention probabilities of the given query rows: {@code out[h, j] = Σ_i A[h, i, j]}
   * (MaskKV eq. 6-7 before the prompt columns are cut out).
   *
   * @param q queries {@code [heads, m, hd]}
   * @return {@code [heads, nk]}
   */
  public static NDArray columnSums(NDArray q, AttentionKeys keys, int kvHeads) {
    long heads = q.getShape().get(0);
    long group = heads / kvHeads;
    long nk = keys.keyCount();
    NDArray[] total = new NDArray[1];
    chunks(q, keys, kvHeads, CHUNK_SCORE_ELEMENTS, (p, rows, outer) -> {
      NDArray sums = p.reshape(kvHeads, group, rows, nk).sum(new int[] {2}); // [kv, group, nk]
      NDArray next = total[0] == null ? sums : total[0].add(sums);
      next.attach(outer);
      if (total[0] != null) {
        total[0].close();
      }
      total[0] = next;
    });
    return total[0].reshape(heads, nk);
  }

  /**
   * Attention probabilities of a few query rows over all keys, {@code [heads, rows, nk]} (Elastic-Cache's drift
   * test and tracking need them for a handful of rows only).
   */
  public static NDArray probabilities(NDArray q, AttentionKeys keys, int kvHeads) {
    long heads = q.getShape().get(0);
    long m = q.getShape().get(1);
    long nk = keys.keyCount();
    NDList parts = new NDList();
    chunks(q, keys, kvHeads, CHUNK_SCORE_ELEMENTS, (p, rows, outer) -> {
      p.attach(outer);
      parts.add(p.reshape(heads, rows, nk));
    });
    return parts.size() == 1 ? parts.get(0) : NDArrays.concat(parts, 1);
  }
}
