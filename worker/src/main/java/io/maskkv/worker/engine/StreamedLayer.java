package io.maskkv.worker.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import io.maskkv.common.model.ModelConfig;
import java.util.Arrays;

/**
 * A long prefill's layer, row chunk by row chunk, resumable between chunks (so a scheduler can interleave it with
 * other sessions' steps). Keys and values are written into whole-layer buffers (every row attends over all of
 * them); the view evicts from them, reading the few query rows it scores on demand; then each chunk computes its
 * queries, attends, runs the MLP and overwrites its rows of {@code x} in place (their keys and values are taken,
 * and a row's output depends only on its own input). So the layer holds x, k and v for every row and one chunk's
 * queries, scores and MLP intermediates, not every row's.
 */
final class StreamedLayer {
  private final TransformerBlock block;
  private final ModelConfig config;
  private final int layer;
  private final LayerWeights w;
  private final NDArray x;
  private final int[] positions;
  private final KvView kv;
  private final NDManager scope;
  private final long chunkRows;
  private final long n;
  private final NDArray k;
  private final NDArray v;
  private AttentionKeys keys;
  /** Next row of the current pass: the K/V pass first, then (after eviction) the attention and MLP pass. */
  private long next;

  StreamedLayer(TransformerBlock block, ModelConfig config, int layer, LayerWeights w, NDArray x, int[] positions,
      KvView kv, NDManager scope, long chunkRows) {
    this.block = block;
    this.config = config;
    this.layer = layer;
    this.w = w;
    this.x = x;
    this.positions = positions;
    this.kv = kv;
    this.scope = scope;
    this.chunkRows = chunkRows;
    this.n = x.getShape().get(0);
    Shape kvShape = new Shape(config.kvHeads(), n, config.headDim());
    this.k = scope.zeros(kvShape, x.getDataType(), x.getDevice());
    this.v = scope.zeros(kvShape, x.getDataType(), x.getDevice());
  }

  /** Runs whole chunks until at least {@code rowBudget} rows were processed or the layer is done; rows run. */
  long advance(long rowBudget) {
    long ran = 0;
    while (!done() && (ran == 0 || ran < rowBudget)) {
      long r0 = next;
      long r1 = Math.min(n, r0 + chunkRows);
      if (keys == null) {
        project(r0, r1);
        next = r1;
        if (next == n) {
          evict();
          next = 0;
        }
      } else {
        attend(r0, r1);
        next = r1;
      }
      ran += r1 - r0;
    }
    return ran;
  }

  boolean done() {
    return keys != null && next >= n;
  }

  /** The layer's output rows (the input array, overwritten in place). */
  NDArray x() {
    return x;
  }

  private void project(long r0, long r1) {
    try (NDManager chunk = scope.newSubManager()) {
      NDArray h = block.attentionNorm(rowsOf(x, r0, r1, chunk), w);
      NDIndex rows = new NDIndex(":, {}:{}, :", r0, r1);
      k.set(rows, block.keys(h, w, tables(r0, r1, chunk)));
      v.set(rows, block.values(h, w));
    }
  }

  private void evict() {
    Queries queries = new Queries() {
      @Override
      public long count() {
        return n;
      }

      @Override
      public NDArray rows(long from, long to, NDManager owner) {
        return block.queries(block.attentionNorm(rowsOf(x, from, to, owner), w), w, tables(from, to, owner));
      }
    };
    keys = kv.keys(layer, queries, k, v, scope);
    kv.afterAttention(layer, queries, keys, scope);
  }

  private void attend(long r0, long r1) {
    try (NDManager chunk = scope.newSubManager()) {
      NDArray xc = rowsOf(x, r0, r1, chunk);
      NDArray q = block.queries(block.attentionNorm(xc, w), w, tables(r0, r1, chunk));
      NDArray afterAttn = block.attentionResidual(xc, Attention.attend(q, keys, config.kvHeads()), w);
      x.set(new NDIndex("{}:{}, :", r0, r1), block.feedForwardResidual(afterAttn, w));
    }
  }

  static NDArray rowsOf(NDArray a, long from, long to, NDManager owner) {
    NDArray rows = a.get(new NDIndex("{}:{}", from, to));
    rows.attach(owner);
    return rows;
  }

  private NDArray[] tables(long from, long to, NDManager owner) {
    return block.ropeTables(Arrays.copyOfRange(positions, (int) from, (int) to), owner);
  }
}
