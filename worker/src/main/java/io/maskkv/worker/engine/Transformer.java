package io.maskkv.worker.engine;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Activation;
import io.maskkv.common.model.ModelConfig;
import io.maskkv.worker.checkpoint.Checkpoint;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The LLaDA / Dream forward pass (pre-norm blocks, bidirectional attention) over a layer range, written once over a
 * {@link KvView}. Reads top to bottom like the paper: norm, q/k/v, rotary, attention, output projection,
 * residual, norm, SwiGLU, residual.
 */
public final class Transformer implements AutoCloseable {
  /**
   * A layer fed more rows than this streams them (a prefill): tests lower it to compare streamed with whole. At
   * this size the whole path's scores and activations already exceed a streamed layer's fixed cost.
   */
  static long streamRows = 1024;
  /** Rows per chunk of a streamed layer. */
  static long chunkRows = 1024;

  private final ModelConfig config;
  private final ModelWeights weights;
  private final Rope rope;
  private final NDManager manager;
  private final Path dir;

  public Transformer(ModelConfig config, ModelWeights weights, NDManager manager, Path dir) {
    this.dir = dir;
    this.config = config;
    this.weights = weights;
    this.manager = manager;
    this.rope = new Rope(config.headDim(), config.ropeTheta());
  }

  /** Loads layers [fromLayer, toLayer) of the model folder onto the device. */
  public static Transformer load(Path dir, Device device, int fromLayer, int toLayer) {
    Checkpoint ckpt = Checkpoint.open(dir);
    NDManager root = NDManager.newBaseManager(device);
    try {
      ModelWeights w = ModelWeights.load(ckpt, root, fromLayer, toLayer);
      return new Transformer(ckpt.config(), w, root, dir);
    } catch (RuntimeException e) {
      root.close();
      throw e;
    }
  }

  public static Transformer load(Path dir, Device device) {
    return load(dir, device, 0, Checkpoint.open(dir).config().layers());
  }

  public ModelConfig config() {
    return config;
  }

  /** The model folder it was loaded from (its calibration profile lives there). */
  public Path dir() {
    return dir;
  }

  public int fromLayer() {
    return weights.fromLayer();
  }

  public int toLayer() {
    return weights.toLayer();
  }

  public boolean hasEmbedding() {
    return weights.embedding() != null;
  }

  public boolean hasHead() {
    return weights.lmHead() != null;
  }

  /** The long-lived manager sessions make their own sub-managers from. */
  public NDManager manager() {
    return manager;
  }

  /** Token embeddings {@code [n, d]}. */
  public NDArray embed(int[] ids, NDManager step) {
    for (int id : ids) {
      if (id < 0 || id >= config.vocabSize()) {
        throw new IllegalArgumentException("token id " + id + " is outside the vocabulary of " + config.vocabSize());
      }
    }
    NDArray index = step.create(ids).toType(DataType.INT64, false);
    NDArray rows = weights.embedding().get(index);
    rows.attach(step); // the result of an op on a weight belongs to the weight's manager otherwise
    return rows;
  }

  /** Runs this shard's layers over the fed rows {@code x [n, d]} at the given absolute positions. */
  public NDArray layers(NDArray x, int[] positions, KvView kv, LayerProbe probe, NDManager step) {
    return run(new Rows(x, positions), kv, probe, step).x();
  }

  /**
   * Runs this shard's layers; the view may change the rows between layers, so the final rows are returned. A long
   * prefill overwrites the fed rows in place (see {@link #streamed}), so the caller must not read {@code in.x()}
   * afterwards.
   */
  public Rows run(Rows in, KvView kv, LayerProbe probe, NDManager step) {
    NDArray x = in.x();
    int[] positions = in.positions();
    // a streamed layer builds each chunk's rotary tables itself: whole tables are 2 x headDim floats per row
    NDArray[] cosSin = streams(positions.length, probe) ? null : rope.tables(positions, step);
    for (int l = weights.fromLayer(); l < weights.toLayer(); l++) {
      Rows swapped = kv.beforeLayer(l, new Rows(x, positions), step);
      if (swapped != null) {
        x = swapped.x();
        if (!Arrays.equals(swapped.positions(), positions)) {
          positions = swapped.positions();
          cosSin = streams(positions.length, probe) ? null : rope.tables(positions, step);
        }
      }
      x = block(l, x, positions, cosSin, kv, probe, step);
    }
    return new Rows(x, positions);
  }

  /**
   * One block. Everything it allocates lives in a per-layer scope closed before the next layer runs, so a
   * layer's full K/V (and its attention scores) are freed as soon as the view has taken what it keeps.
   */
  private NDArray block(int l, NDArray x, int[] positions, NDArray[] cosSin, KvView kv, LayerProbe probe,
      NDManager step) {
    try (NDManager scope = step.newSubManager()) {
      x.tempAttach(scope);
      NDArray out = streams(positions.length, probe) ? streamed(l, weights.layer(l), x, positions, kv, scope)
          : blockIn(l, x, cosSin, kv, probe, scope);
      out.attach(step);
      return out;
    }
  }

  private NDArray blockIn(int l, NDArray x, NDArray[] cosSin, KvView kv, LayerProbe probe, NDManager scope) {
    LayerWeights w = weights.layer(l);
    NDArray h = rmsNorm(x, w.attnNorm());
    NDArray q = queries(h, w, cosSin);
    AttentionKeys keys = kv.keys(l, keys(h, w, cosSin), values(h, w), scope);
    NDArray afterAttn = x.add(Attention.attend(q, keys, config.kvHeads()).matMul(w.wo()));
    kv.afterAttention(l, Queries.of(q), keys, scope);
    if (probe != null) {
      probe.onAttention(l, x, afterAttn);
    }
    return afterAttn.add(feedForward(afterAttn, w));
  }

  private boolean streams(long rows, LayerProbe probe) {
    return probe == null && rows > streamRows;
  }

  /**
   * A long prefill's layer, row chunk by row chunk. Keys and values are written into whole-layer buffers (every
   * row attends over all of them); the view evicts from them, reading the few query rows it scores on demand;
   * then each chunk computes its queries, attends, runs the MLP and overwrites its rows of {@code x} in place
   * (their keys and values are taken, and a row's output depends only on its own input). So the layer holds x, k
   * and v for every row and one chunk's queries, scores and MLP intermediates, not every row's.
   */
  private NDArray streamed(int l, LayerWeights w, NDArray x, int[] positions, KvView kv, NDManager scope) {
    long n = x.getShape().get(0);
    Shape kvShape = new Shape(config.kvHeads(), n, config.headDim());
    NDArray k = scope.zeros(kvShape, x.getDataType(), x.getDevice());
    NDArray v = scope.zeros(kvShape, x.getDataType(), x.getDevice());
    for (long r0 = 0; r0 < n; r0 += chunkRows) {
      long r1 = Math.min(n, r0 + chunkRows);
      try (NDManager chunk = scope.newSubManager()) {
        NDArray h = rmsNorm(rowsOf(x, r0, r1, chunk), w.attnNorm());
        NDIndex rows = new NDIndex(":, {}:{}, :", r0, r1);
        k.set(rows, keys(h, w, tables(positions, r0, r1, chunk)));
        v.set(rows, values(h, w));
      }
    }
    AttentionKeys keys = kv.keys(l, k, v, scope);
    kv.afterAttention(l, new Queries() {
      @Override
      public long count() {
        return n;
      }

      @Override
      public NDArray rows(long from, long to, NDManager owner) {
        return queries(rmsNorm(rowsOf(x, from, to, owner), w.attnNorm()), w, tables(positions, from, to, owner));
      }
    }, keys, scope);
    for (long r0 = 0; r0 < n; r0 += chunkRows) {
      long r1 = Math.min(n, r0 + chunkRows);
      try (NDManager chunk = scope.newSubManager()) {
        NDArray xc = rowsOf(x, r0, r1, chunk);
        NDArray q = queries(rmsNorm(xc, w.attnNorm()), w, tables(positions, r0, r1, chunk));
        NDArray afterAttn = xc.add(Attention.attend(q, keys, config.kvHeads()).matMul(w.wo()));
        x.set(new NDIndex("{}:{}, :", r0, r1), afterAttn.add(feedForward(afterAttn, w)));
      }
    }
    return x;
  }

  private static NDArray rowsOf(NDArray a, long from, long to, NDManager owner) {
    NDArray rows = a.get(new NDIndex("{}:{}", from, to));
    rows.attach(owner);
    return rows;
  }

  private NDArray[] tables(int[] positions, long from, long to, NDManager owner) {
    return rope.tables(Arrays.copyOfRange(positions, (int) from, (int) to), owner);
  }

  /** Post-RoPE queries {@code [heads, n, hd]} of normed rows {@code h [n, d]}. */
  private NDArray queries(NDArray h, LayerWeights w, NDArray[] cosSin) {
    return rope.apply(heads(project(h, w.wq(), w.bq()), config.heads()), cosSin);
  }

  /** Post-RoPE keys {@code [kvHeads, n, hd]}. */
  private NDArray keys(NDArray h, LayerWeights w, NDArray[] cosSin) {
    return rope.apply(heads(project(h, w.wk(), w.bk()), config.kvHeads()), cosSin);
  }

  private NDArray values(NDArray h, LayerWeights w) {
    return heads(project(h, w.wv(), w.bv()), config.kvHeads());
  }

  /** {@code [n, count*hd]} to {@code [count, n, hd]}. */
  private NDArray heads(NDArray y, int count) {
    return y.reshape(y.getShape().get(0), count, config.headDim()).transpose(1, 0, 2);
  }

  /** SwiGLU: {@code down(SiLU(gate(norm(x))) * up(norm(x)))}. */
  private NDArray feedForward(NDArray x, LayerWeights w) {
    NDArray h = rmsNorm(x, w.ffnNorm());
    NDArray gate = h.matMul(w.wGate());
    NDArray up = h.matMul(w.wUp());
    return gate.mul(Activation.sigmoid(gate)).mul(up).matMul(w.wDown());
  }

  private static NDArray project(NDArray h, NDArray w, NDArray bias) {
    NDArray y = h.matMul(w);
    return bias == null ? y : y.add(bias);
  }

  /** RMSNorm in fp32: {@code w * x / sqrt(mean(x²) + eps)}. */
  NDArray rmsNorm(NDArray x, NDArray weight) {
    NDArray ms = x.square().mean(new int[] {-1}, true);
    return x.div(ms.add((float) config.rmsNormEps()).sqrt()).mul(weight);
  }

  /** Logits {@code [rows, vocab]} for the given rows of the final hidden states only. */
  public NDArray logits(NDArray hidden) {
    return rmsNorm(hidden, weights.finalNorm()).matMul(weights.lmHead());
  }

  @Override
  public void close() {
    manager.close();
  }
}
