package io.maskkv.worker.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;

/**
 * A layer's post-RoPE queries {@code [heads, rows, headDim]}, read by rows. Eviction scorers and Elastic-Cache's
 * tracking read only a few rows (the mask rows, SnapKV's window, a tracked token), and a long prefill does not
 * hold every row's queries at once (they are as large as the layer's keys), so there it computes the asked rows
 * on demand; otherwise this wraps the step's one array.
 */
public interface Queries {
  /** Rows of the step. */
  long count();

  /** Rows {@code [from, to)} as {@code [heads, to - from, headDim]}, owned by {@code scope}. */
  NDArray rows(long from, long to, NDManager scope);

  /** The given rows, in that order. */
  default NDArray rows(long[] rows, NDManager scope) {
    NDList parts = new NDList();
    for (long r : rows) {
      parts.add(rows(r, r + 1, scope));
    }
    NDArray all = parts.size() == 1 ? parts.get(0) : NDArrays.concat(parts, 1);
    all.attach(scope);
    return all;
  }

  static Queries of(NDArray q) {
    return new Queries() {
      @Override
      public long count() {
        return q.getShape().get(1);
      }

      @Override
      public NDArray rows(long from, long to, NDManager scope) {
        NDArray r = q.get(new NDIndex(":, {}:{}, :", from, to));
        r.attach(scope);
        return r;
      }

      @Override
      public NDArray rows(long[] rows, NDManager scope) {
        NDArray r = q.get(new NDIndex(":, {}, :", scope.create(rows)));
        r.attach(scope);
        return r;
      }
    };
  }
}
