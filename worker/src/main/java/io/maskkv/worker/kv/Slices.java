package io.maskkv.worker.kv;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/** Slicing helpers for {@code [heads, positions, headDim]} K/V tensors. */
final class Slices {
  private Slices() {}

  /** Rows [from, to) along the position axis, as a view. */
  static NDArray rows(NDArray t, long from, long to) {
    return t.get(":, " + from + ":" + to + ", :");
  }

  /** A view of rows of a long-lived tensor whose handle belongs to the step (DJL gives it the tensor's manager). */
  static NDArray rowsIn(NDArray t, long from, long to, NDManager step) {
    NDArray view = rows(t, from, to);
    view.attach(step);
    return view;
  }

  /**
   * {@code t} viewed as {@code [rows, hd]}, the view's handle owned by {@code scope}: a re-vote gathers from the
   * session's whole prompt, whose views would otherwise stay in the session until it closes.
   */
  static NDArray flat(NDArray t, long rows, long hd, NDManager scope) {
    NDArray view = t.reshape(rows, hd);
    view.attach(scope);
    return view;
  }

  /** Concatenation along the position axis, owned by the step whatever the first part's owner is. */
  static NDArray concat(NDManager step, NDArray... parts) {
    NDArray out = ai.djl.ndarray.NDArrays.concat(new ai.djl.ndarray.NDList(parts), 1);
    out.attach(step);
    return out;
  }

  /**
   * Rows [from, to) copied into {@code owner}: a view would keep the whole step tensor's storage alive, so
   * what a cache keeps must be a copy of its own.
   */
  static NDArray keep(NDArray t, long from, long to, NDManager owner) {
    NDArray copy = rows(t, from, to).duplicate();
    copy.attach(owner);
    return copy;
  }

  static long bytes(NDArray t) {
    return t == null ? 0 : t.getShape().size() * t.getDataType().getNumOfBytes();
  }
}
