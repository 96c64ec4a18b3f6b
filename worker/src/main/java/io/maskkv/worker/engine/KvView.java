package io.maskkv.worker.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * How one forward step sees the KV cache. The forward computes K/V only for the rows it is fed and asks the
 * view what those rows attend over, so "no cache", "prefix", "dual" and "compressed prompt" are views over one
 * model code path, not copies of it.
 */
public interface KvView {
  /**
   * @param k fresh post-RoPE keys of the fed rows {@code [kvHeads, fed, headDim]}
   * @param v fresh values of the fed rows
   * @param step the step's scope; anything kept beyond the step must be copied out of it
   */
  AttentionKeys keys(int layer, NDArray k, NDArray v, NDManager step);

  /**
   * The same, also shown the fed rows' queries before they attend: a view that chooses what to attend over by
   * the queries' own attention (a re-vote) overrides this one; the others ignore the queries.
   */
  default AttentionKeys keys(int layer, Queries q, NDArray k, NDArray v, NDManager step) {
    return keys(layer, k, v, step);
  }

  /**
   * Called before layer {@code layer} runs; a view may return different rows to continue with (Elastic-Cache
   * switches from its query set to every row at the layer where attention drifted), or null to keep them.
   */
  default Rows beforeLayer(int layer, Rows rows, NDManager step) {
    return null;
  }

  /** Called after layer {@code layer}'s attention; eviction compresses the prompt here, layer by layer. */
  default void afterAttention(int layer, Queries q, AttentionKeys keys, NDManager step) {}

  /** A view that caches nothing: fed rows attend over themselves. */
  KvView NONE = (layer, k, v, step) -> new AttentionKeys(k, v, null);
}
