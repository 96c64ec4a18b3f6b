package io.maskkv.worker.engine;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Activation;
import io.maskkv.common.model.ModelConfig;
import io.maskkv.worker.checkpoint.Checkpoint;
import java.nio.file.Path;

/**
 * The LLaDA / Dream forward pass (reference/models.md §2.2, §3.3) over a layer range, written once over a
 * {@link KvView}. Reads top to bottom like the paper: norm, q/k/v, rotary, attention, output projection,
 * residual, norm, SwiGLU, residual.
 */
public final class Transformer implements AutoCloseable {
  /** Rows per MLP chunk in a long prefill (tests lower it to compare chunked with unchunked). */
  static long ffnRows = 4096;

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

  /** Runs this shard's layers; the view may change the rows between layers, so the final rows are returned. */
  public Rows run(Rows in, KvView kv, LayerProbe probe, NDManager step) {
    NDArray x = in.x();
    int[] positions = in.positions();
    NDArray[] cosSin = rope.tables(positions, step);
    for (int l = weights.fromLayer(); l < weights.toLayer(); l++) {
      Rows swapped = kv.beforeLayer(l, new Rows(x, positions), step);
      if (swapped != null) {
        x = swapped.x();
        if (!java.util.Arrays.equals(swapped.positions(), positions)) {
          positions = swapped.positions();
          cosSin = rope.tables(positions, step);
        }
      }
      x = block(l, x, cosSin, kv, probe, step);
    }
    return new Rows(x, positions);
  }

  /**
   * One block. Everything it allocates lives in a per-layer scope closed before the next layer runs, so a
   * layer's full K/V (and its attention scores) are freed as soon as the view has taken what it keeps.
   */
  private NDArray block(int l, NDArray x, NDArray[] cosSin, KvView kv, LayerProbe probe, NDManager step) {
    try (NDManager scope = step.newSubManager()) {
      x.tempAttach(scope);
      NDArray out = blockIn(l, x, cosSin, kv, probe, scope);
      out.attach(step);
      return out;
    }
  }

  private NDArray blockIn(int l, NDArray x, NDArray[] cosSin, KvView kv, LayerProbe probe, NDManager scope) {
    LayerWeights w = weights.layer(l);
    long n = x.getShape().get(0);
    int hd = config.headDim();
    NDArray h = rmsNorm(x, w.attnNorm());
    NDArray q = project(h, w.wq(), w.bq()).reshape(n, config.heads(), hd).transpose(1, 0, 2); // [H, n, hd]
    NDArray k = project(h, w.wk(), w.bk()).reshape(n, config.kvHeads(), hd).transpose(1, 0, 2); // [KV, n, hd]
    NDArray v = project(h, w.wv(), w.bv()).reshape(n, config.kvHeads(), hd).transpose(1, 0, 2);
    q = rope.apply(q, cosSin);
    k = rope.apply(k, cosSin);
    AttentionKeys keys = kv.keys(l, k, v, scope);
    NDArray a = Attention.attend(q, keys, config.kvHeads()); // [n, H*hd]
    kv.afterAttention(l, q, keys, scope);
    NDArray afterAttn = x.add(a.matMul(w.wo()));
    if (probe != null) {
      probe.onAttention(l, x, afterAttn);
    }
    if (n <= ffnRows) {
      return afterAttn.add(feedForward(afterAttn, w));
    }
    // a long prefill runs the MLP in row chunks: its [rows, ffn] intermediates are the largest activations
    NDList parts = new NDList();
    for (long r0 = 0; r0 < n; r0 += ffnRows) {
      try (NDManager chunk = scope.newSubManager()) {
        NDArray rows = afterAttn.get(r0 + ":" + Math.min(n, r0 + ffnRows));
        rows.attach(chunk);
        NDArray out = rows.add(feedForward(rows, w));
        out.attach(scope);
        parts.add(out);
      }
    }
    return NDArrays.concat(parts, 0);
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
