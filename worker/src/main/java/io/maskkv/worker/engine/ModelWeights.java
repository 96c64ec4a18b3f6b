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
import ai.djl.ndarray.types.DataType;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The weights of a layer range [fromLayer, toLayer): projection matrices, embedding and head in the chosen
 * {@link WeightPrecision}, norms and biases in fp32. The embedding is loaded by the
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
    return load(ckpt, parent, fromLayer, toLayer, DataType.FLOAT32, LoadProgress.NONE);
  }

  /**
   * @param matrices the type projection matrices, embedding and head are held in (norms and biases stay fp32)
   */
  public static ModelWeights load(Checkpoint ckpt, NDManager parent, int fromLayer, int toLayer, DataType matrices,
      LoadProgress progress) {
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
      boolean last = toLayer == c.layers();
      boolean bias = c.qkvBias();
      // every tensor is checked (name, shape) before the first byte is read, and the total sizes the progress
      List<TensorInfo> all = new ArrayList<>();
      TensorInfo embT = fromLayer == 0 ? add(all, ckpt.require(n.embedding(), vocab, d)) : null;
      TensorInfo[][] layerT = new TensorInfo[toLayer - fromLayer][];
      for (int l = fromLayer; l < toLayer; l++) {
        layerT[l - fromLayer] = new TensorInfo[] {
            add(all, ckpt.require(n.attnNorm(l), d)),
            add(all, ckpt.require(n.q(l), qd, d)),
            add(all, ckpt.require(n.k(l), kvd, d)),
            add(all, ckpt.require(n.v(l), kvd, d)),
            bias ? add(all, ckpt.require(TensorNames.bias(n.q(l)), qd)) : null,
            bias ? add(all, ckpt.require(TensorNames.bias(n.k(l)), kvd)) : null,
            bias ? add(all, ckpt.require(TensorNames.bias(n.v(l)), kvd)) : null,
            add(all, ckpt.require(n.attnOut(l), d, qd)),
            add(all, ckpt.require(n.ffnNorm(l), d)),
            add(all, ckpt.require(n.gate(l), ffn, d)),
            add(all, ckpt.require(n.up(l), ffn, d)),
            add(all, ckpt.require(n.down(l), d, ffn))};
      }
      TensorInfo fnT = last ? add(all, ckpt.require(n.finalNorm(), d)) : null;
      TensorInfo headT = last ? add(all, ckpt.require(n.lmHead(), vocab, d)) : null;
      Loader in = new Loader(m, matrices, progress, all.stream().mapToLong(t -> t.end() - t.start()).sum());

      NDArray emb = embT == null ? null : in.matrix(embT);
      LayerWeights[] layers = new LayerWeights[toLayer - fromLayer];
      for (int i = 0; i < layers.length; i++) {
        TensorInfo[] t = layerT[i];
        layers[i] = new LayerWeights(in.vector(t[0]), in.matrix(t[1]).transpose(), in.matrix(t[2]).transpose(),
            in.matrix(t[3]).transpose(), in.vector(t[4]), in.vector(t[5]), in.vector(t[6]),
            in.matrix(t[7]).transpose(), in.vector(t[8]), in.matrix(t[9]).transpose(), in.matrix(t[10]).transpose(),
            in.matrix(t[11]).transpose());
      }
      NDArray fn = fnT == null ? null : in.vector(fnT);
      NDArray head = headT == null ? null : in.matrix(headT).transpose();
      return new ModelWeights(m, fromLayer, toLayer, emb, layers, fn, head);
    } catch (RuntimeException e) {
      m.close();
      throw e;
    }
  }

  private static TensorInfo add(List<TensorInfo> all, TensorInfo t) {
    all.add(t);
    return t;
  }

  /** Reads tensors in order, matrices into the chosen type, and reports the bytes read. */
  private static final class Loader {
    private final NDManager m;
    private final DataType matrices;
    private final LoadProgress progress;
    private final long total;
    private long done;

    Loader(NDManager m, DataType matrices, LoadProgress progress, long total) {
      this.m = m;
      this.matrices = matrices;
      this.progress = progress;
      this.total = total;
    }

    NDArray matrix(TensorInfo t) {
      return report(t, load(m, t, matrices));
    }

    NDArray vector(TensorInfo t) {
      return t == null ? null : report(t, load(m, t, DataType.FLOAT32));
    }

    private NDArray report(TensorInfo t, NDArray a) {
      done += t.end() - t.start();
      progress.loaded(t.name(), done, total);
      return a;
    }
  }

  /** Reads a tensor in row chunks (fp32 on the host, then to the device) and joins them. */
  static NDArray load(NDManager m, TensorInfo t) {
    return load(m, t, DataType.FLOAT32);
  }

  /**
   * Reads a tensor in row chunks, each widened exactly to fp32 on the host, moved to the device and cast there to
   * {@code type}: a BF16 checkpoint read as bf16 is then bit-exact, and the device never holds more than one fp32
   * chunk beside the narrow tensor.
   */
  static NDArray load(NDManager m, TensorInfo t, DataType type) {
    long total = t.elements();
    Shape shape = new Shape(t.shape());
    if (total <= MAX_CHUNK_ELEMENTS || t.shape().length < 2) {
      FloatBuffer buf = SafetensorsFile.readFloats(t, 0, Math.toIntExact(total));
      return narrow(m.create(buf, shape), type);
    }
    long rowElems = total / t.shape()[0];
    long rowsPerChunk = Math.max(1, MAX_CHUNK_ELEMENTS / rowElems);
    NDList parts = new NDList();
    try (NDManager tmp = m.newSubManager()) {
      for (long r = 0; r < t.shape()[0]; r += rowsPerChunk) {
        long rows = Math.min(rowsPerChunk, t.shape()[0] - r);
        long[] s = t.shape().clone();
        s[0] = rows;
        parts.add(narrow(tmp.create(SafetensorsFile.readFloats(t, r * rowElems, Math.toIntExact(rows * rowElems)),
            new Shape(s)), type));
      }
      NDArray joined = NDArrays.concat(parts, 0);
      joined.attach(m);
      return joined;
    }
  }

  private static NDArray narrow(NDArray fp32, DataType type) {
    if (type == DataType.FLOAT32) {
      return fp32;
    }
    NDArray n = fp32.toType(type, false);
    fp32.close();
    return n;
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
