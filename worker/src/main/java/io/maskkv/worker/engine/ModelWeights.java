package io.maskkv.worker.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.maskkv.common.model.ModelConfig;
import io.maskkv.worker.checkpoint.Checkpoint;
import io.maskkv.worker.checkpoint.SafetensorsFile;
import io.maskkv.worker.checkpoint.TensorInfo;
import io.maskkv.worker.checkpoint.TensorNames;
import java.nio.FloatBuffer;

/**
 * The weights of a layer range [fromLayer, toLayer) loaded as fp32 NDArrays. The embedding is loaded by the
 * shard that holds layer 0, the final norm and LM head by the shard that holds the last layer.
 */
public final class ModelWeights implements AutoCloseable {
  /** Keeps each host buffer well under 2 GiB however large the tensor is. */
  private static final long MAX_CHUNK_ELEMENTS = 1L << 26;

  private final NDManager manager;
  private final int fromLayer;
  private final int toLayer;
  private final NDArray embedding; // [V, d] or null
  private final LayerWeights[] layers;
  private final NDArray finalNorm; // [d] or null
  private final NDArray lmHead; // [d, V] (transposed view) or null

  private ModelWeights(NDManager manager, int fromLayer, int toLayer, NDArray embedding, LayerWeights[] layers,
      NDArray finalNorm, NDArray lmHead) {
    this.manager = manager;
    this.fromLayer = fromLayer;
    this.toLayer = toLayer;
    this.embedding = embedding;
    this.layers = layers;
    this.finalNorm = finalNorm;
    this.lmHead = lmHead;
  }

  public static ModelWeights load(Checkpoint ckpt, NDManager parent, int fromLayer, int toLayer) {
    ModelConfig c = ckpt.config();
    if (fromLayer < 0 || toLayer > c.layers() || fromLayer >= toLayer) {
      throw new IllegalArgumentException("layer range " + fromLayer + ":" + toLayer + " is not inside 0:" + c.layers());
    }
    TensorNames n = TensorNames.of(c.family());
    NDManager m = parent.newSubManager();
    try {
      int d = c.hiddenSize();
      int qd = c.heads() * c.headDim();
      int kvd = c.kvDim();
      int ffn = c.intermediateSize();
      int vocab = c.vocabSize();
      NDArray emb = fromLayer == 0 ? load(m, ckpt.require(n.embedding(), vocab, d)) : null;
      LayerWeights[] layers = new LayerWeights[toLayer - fromLayer];
      for (int l = fromLayer; l < toLayer; l++) {
        boolean bias = c.qkvBias();
        layers[l - fromLayer] = new LayerWeights(
            load(m, ckpt.require(n.attnNorm(l), d)),
            load(m, ckpt.require(n.q(l), qd, d)).transpose(),
            load(m, ckpt.require(n.k(l), kvd, d)).transpose(),
            load(m, ckpt.require(n.v(l), kvd, d)).transpose(),
            bias ? load(m, ckpt.require(TensorNames.bias(n.q(l)), qd)) : null,
            bias ? load(m, ckpt.require(TensorNames.bias(n.k(l)), kvd)) : null,
            bias ? load(m, ckpt.require(TensorNames.bias(n.v(l)), kvd)) : null,
            load(m, ckpt.require(n.attnOut(l), d, qd)).transpose(),
            load(m, ckpt.require(n.ffnNorm(l), d)),
            load(m, ckpt.require(n.gate(l), ffn, d)).transpose(),
            load(m, ckpt.require(n.up(l), ffn, d)).transpose(),
            load(m, ckpt.require(n.down(l), d, ffn)).transpose());
      }
      boolean last = toLayer == c.layers();
      NDArray fn = last ? load(m, ckpt.require(n.finalNorm(), d)) : null;
      NDArray head = last ? load(m, ckpt.require(n.lmHead(), vocab, d)).transpose() : null;
      return new ModelWeights(m, fromLayer, toLayer, emb, layers, fn, head);
    } catch (RuntimeException e) {
      m.close();
      throw e;
    }
  }

  /** Reads a tensor in row chunks (fp32 on the host, then to the device) and joins them. */
  static NDArray load(NDManager m, TensorInfo t) {
    long total = t.elements();
    Shape shape = new Shape(t.shape());
    if (total <= MAX_CHUNK_ELEMENTS || t.shape().length < 2) {
      FloatBuffer buf = SafetensorsFile.readFloats(t, 0, Math.toIntExact(total));
      return m.create(buf, shape);
    }
    long rowElems = total / t.shape()[0];
    long rowsPerChunk = Math.max(1, MAX_CHUNK_ELEMENTS / rowElems);
    NDList parts = new NDList();
    try (NDManager tmp = m.newSubManager()) {
      for (long r = 0; r < t.shape()[0]; r += rowsPerChunk) {
        long rows = Math.min(rowsPerChunk, t.shape()[0] - r);
        long[] s = t.shape().clone();
        s[0] = rows;
        parts.add(tmp.create(SafetensorsFile.readFloats(t, r * rowElems, Math.toIntExact(rows * rowElems)),
            new Shape(s)));
      }
      NDArray joined = NDArrays.concat(parts, 0);
      joined.attach(m);
      return joined;
    }
  }

  public int fromLayer() {
    return fromLayer;
  }

  public int toLayer() {
    return toLayer;
  }

  public NDArray embedding() {
    return embedding;
  }

  public LayerWeights layer(int absoluteLayer) {
    return layers[absoluteLayer - fromLayer];
  }

  public NDArray finalNorm() {
    return finalNorm;
  }

  public NDArray lmHead() {
    return lmHead;
  }

  public NDManager manager() {
    return manager;
  }

  @Override
  public void close() {
    manager.close();
  }
}
