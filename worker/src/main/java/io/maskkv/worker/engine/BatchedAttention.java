package io.maskkv.worker.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import java.util.List;

/**
 * Attention of several sessions' decoding rows in one kernel: each session's queries, keys and values are copied
 * into zero-padded {@code [sessions, heads, rows, hd]} tensors, padding keys get {@link Attention#MASKED} (a
 * softmax weight of exactly 0), and one batched product, softmax and product replace one small attention per
 * session. The copies cost more than they save when the sessions' key counts differ a lot or the keys are many
 * (a full cache over a long prompt), so {@link #worthIt} decides per layer; prefills never come here.
 */
final class BatchedAttention {
  /** Decoding steps feed a block and its neighbours: more rows than this is a prefill. */
  static final int MAX_ROWS = 128;
  /** Padded K and V together stay under this many floats (256 MiB). */
  static final long MAX_PADDED_ELEMENTS = 1L << 26;

  private BatchedAttention() {}

  /** Few rows per session, key counts within 2x of the longest, padded tensors of bounded size. */
  static boolean worthIt(List<NDArray> queries, List<AttentionKeys> keys) {
    if (queries.size() < 2) {
      return false;
    }
    long maxKeys = 0;
    long sumKeys = 0;
    for (int i = 0; i < queries.size(); i++) {
      if (queries.get(i).getShape().get(1) > MAX_ROWS) {
        return false;
      }
      long nk = keys.get(i).keyCount();
      maxKeys = Math.max(maxKeys, nk);
      sumKeys += nk;
    }
    AttentionKeys first = keys.get(0);
    long perKey = first.k().getShape().get(0) * first.k().getShape().get(2);
    return maxKeys * queries.size() <= 2 * sumKeys && 2 * maxKeys * queries.size() * perKey <= MAX_PADDED_ELEMENTS;
  }

  /**
   * @param queries per session {@code [heads, n_i, hd]} (post-RoPE)
   * @param keys per session, keys and values {@code [kvHeads, nk_i, hd]} and an optional mask {@code [kvHeads, 1, nk_i]}
   * @return every session's output rows stacked in order, {@code [Σ n_i, heads*hd]}
   */
  static NDArray attend(List<NDArray> queries, List<AttentionKeys> keys, int kvHeads, NDManager scope) {
    int b = queries.size();
    long heads = queries.get(0).getShape().get(0);
    long hd = queries.get(0).getShape().get(2);
    long group = heads / kvHeads;
    long rows = 0;
    long nk = 0;
    for (int i = 0; i < b; i++) {
      rows = Math.max(rows, queries.get(i).getShape().get(1));
      nk = Math.max(nk, keys.get(i).keyCount());
    }
    DataType type = queries.get(0).getDataType();
    NDArray q = scope.zeros(new Shape(b, heads, rows, hd), type);
    NDArray k = scope.zeros(new Shape(b, kvHeads, nk, hd), type);
    NDArray v = scope.zeros(new Shape(b, kvHeads, nk, hd), type);
    float[] mask = new float[(int) (b * kvHeads * nk)];
    long[] outRows = new long[queries.stream().mapToInt(a -> (int) a.getShape().get(1)).sum()];
    int o = 0;
    for (int i = 0; i < b; i++) {
      long n = queries.get(i).getShape().get(1);
      AttentionKeys ki = keys.get(i);
      long len = ki.keyCount();
      q.set(new NDIndex("{}, :, 0:{}, :", i, n), queries.get(i));
      k.set(new NDIndex("{}, :, 0:{}, :", i, len), ki.k());
      v.set(new NDIndex("{}, :, 0:{}, :", i, len), ki.v());
      float[] own = ki.mask() == null ? null : ki.mask().toFloatArray(); // [kvHeads, 1, len]
      for (int h = 0; h < kvHeads; h++) {
        int base = (int) ((i * kvHeads + h) * nk);
        if (own != null) {
          System.arraycopy(own, (int) (h * len), mask, base, (int) len);
        }
        Arrays.fill(mask, base + (int) len, base + (int) nk, Attention.MASKED);
      }
      for (long r = 0; r < n; r++) {
        outRows[o++] = i * rows + r;
      }
    }
    NDArray m = scope.create(mask, new Shape(b, kvHeads, 1, nk));
    NDArray scores = q.mul((float) (1.0 / Math.sqrt(hd))).reshape(b, kvHeads, group * rows, hd)
        .matMul(k.transpose(0, 1, 3, 2)).add(m); // [b, kv, group*rows, nk]
    NDArray out = scores.softmax(-1).matMul(v).reshape(b, heads, rows, hd) // [b, heads, rows, hd]
        .transpose(0, 2, 1, 3).reshape(b * rows, heads * hd);
    return out.get(scope.create(outRows));
  }
}
