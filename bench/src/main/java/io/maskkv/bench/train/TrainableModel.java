package io.maskkv.bench.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import io.maskkv.common.model.ModelConfig;
import io.maskkv.worker.checkpoint.TensorNames;
import io.maskkv.worker.engine.LayerWeights;
import io.maskkv.worker.engine.TransformerBlock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * The LLaDA architecture for autograd: the serving engine's own {@link TransformerBlock} over a batch, without
 * per-layer scopes (backward needs the activations) and attending densely over the whole sequence (no cache to
 * evict from, and a training sequence's score matrix is small). Linear weights are held as {@code [in, out]} so
 * every op is called on an activation (in DJL an op's result belongs to the manager of the array it is called
 * on); {@link #hfTensors} transposes them back to the Hugging Face {@code [out, in]} layout.
 */
final class TrainableModel {
  final ModelConfig config;
  final Map<String, NDArray> params = new LinkedHashMap<>();
  /** Per-element trainability (1 or 0) of the tensors a prior keeps partly fixed; absent tensors train fully. */
  final Map<String, NDArray> trainable = new LinkedHashMap<>();
  private final TensorNames names;
  private final TransformerBlock block;

  TrainableModel(ModelConfig config, NDManager manager, long seed, java.util.List<Integer> offsetHeads,
      boolean bindingPrior, boolean hopPrior) {
    this.config = config;
    this.names = TensorNames.of(config.family());
    this.block = new TransformerBlock(config);
    SplittableRandom rnd = new SplittableRandom(seed);
    int d = config.hiddenSize();
    int ffn = config.intermediateSize();
    double outScale = 1 / Math.sqrt(2.0 * config.layers());
    params.put(names.embedding(), normal(manager, rnd, 1.0, config.vocabSize(), d));
    for (int l = 0; l < config.layers(); l++) {
      params.put(names.attnNorm(l), manager.ones(new Shape(d)));
      params.put(names.q(l), normal(manager, rnd, 1 / Math.sqrt(d), d, d));
      params.put(names.k(l), normal(manager, rnd, 1 / Math.sqrt(d), d, d));
      params.put(names.v(l), normal(manager, rnd, 1 / Math.sqrt(d), d, d));
      params.put(names.attnOut(l), normal(manager, rnd, outScale / Math.sqrt(d), d, d));
      params.put(names.ffnNorm(l), manager.ones(new Shape(d)));
      params.put(names.gate(l), normal(manager, rnd, 1 / Math.sqrt(d), d, ffn));
      params.put(names.up(l), normal(manager, rnd, 1 / Math.sqrt(d), d, ffn));
      params.put(names.down(l), normal(manager, rnd, outScale / Math.sqrt(ffn), ffn, d));
    }
    params.put(names.finalNorm(), manager.ones(new Shape(d)));
    params.put(names.lmHead(), normal(manager, rnd, 1 / Math.sqrt(d), d, config.vocabSize()));
    if (bindingPrior) {
      int copyHead = offsetHeads.indexOf(-2);
      if (copyHead < 0) {
        throw new IllegalArgumentException("the binding prior needs an offset -2 head (--offset-heads)");
      }
      PositionalHeads.apply(params, names, config, offsetHeads, BindingPrior.reservedDims(config), rnd);
      BindingPrior.apply(params, names, config, copyHead, rnd);
      if (hopPrior) {
        HopPrior.apply(params, names, config, copyHead, rnd);
        HopPrior.frozen(names, config, copyHead).forEach((name, mask) ->
            trainable.put(name, manager.create(mask, params.get(name).getShape())));
      }
    } else {
      PositionalHeads.apply(params, names, config, offsetHeads, 0, rnd);
    }
    params.values().forEach(p -> p.setRequiresGradient(true));
  }

  private static NDArray normal(NDManager m, SplittableRandom rnd, double std, long... shape) {
    float[] data = new float[(int) new Shape(shape).size()];
    for (int i = 0; i < data.length; i++) {
      data[i] = (float) (io.maskkv.worker.checkpoint.RandomCheckpoint.gaussian(rnd) * std);
    }
    return m.create(data, new Shape(shape));
  }

  /** Logits {@code [B, rows, vocab]} of the last {@code rows} positions of {@code tokens [B, L]}. */
  NDArray forward(NDArray tokens, int rows, NDManager step) {
    long len = tokens.getShape().get(1);
    NDArray x = tokens.getNDArrayInternal().embedding(tokens, params.get(names.embedding()), SparseFormat.DENSE)
        .singletonOrThrow();
    NDArray[] cosSin = block.ropeTables(IntStream.range(0, (int) len).toArray(), step);
    for (int l = 0; l < config.layers(); l++) {
      LayerWeights w = layer(l);
      NDArray h = block.attentionNorm(x, w);
      NDArray attended = attend(block.queries(h, w, cosSin), block.keys(h, w, cosSin), block.values(h, w));
      x = block.feedForwardResidual(block.attentionResidual(x, attended, w), w);
    }
    NDArray last = x.get(":, " + (len - rows) + ":, :");
    return block.rmsNorm(last, params.get(names.finalNorm())).matMul(params.get(names.lmHead()));
  }

  /**
   * Dense softmax attention of {@code [B, H, L, hd]} heads, merged to {@code [B, L, H*hd]}. It scales the scores
   * after the product where serving's chunked {@code Attention} scales the queries first: the two round
   * differently, and keeping each as it was keeps training runs and served tokens reproducible. Every head has its
   * own keys (the trainer's models have no GQA).
   */
  private NDArray attend(NDArray q, NDArray k, NDArray v) {
    long[] shape = q.getShape().getShape();
    int hd = config.headDim();
    NDArray att = q.matMul(k.transpose(0, 1, 3, 2)).mul((float) (1 / Math.sqrt(hd))).softmax(-1).matMul(v);
    return att.transpose(0, 2, 1, 3).reshape(shape[0], shape[2], shape[1] * hd);
  }

  /** Layer {@code l}'s parameters in the block's layout (LLaDA has no q/k/v biases). */
  private LayerWeights layer(int l) {
    return new LayerWeights(params.get(names.attnNorm(l)), params.get(names.q(l)), params.get(names.k(l)),
        params.get(names.v(l)), null, null, null, params.get(names.attnOut(l)), params.get(names.ffnNorm(l)),
        params.get(names.gate(l)), params.get(names.up(l)), params.get(names.down(l)));
  }

  /** Whether a parameter is a linear weight: held {@code [in, out]} here, {@code [out, in]} in Hugging Face files. */
  boolean linear(String name, long[] shape) {
    return shape.length == 2 && !name.equals(names.embedding());
  }

  /** A row-major {@code [rows, cols]} matrix as {@code [cols, rows]}. */
  static float[] transpose(float[] data, int rows, int cols) {
    float[] t = new float[data.length];
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        t[c * rows + r] = data[r * cols + c];
      }
    }
    return t;
  }

  /** The parameters as Hugging Face tensors: linear weights transposed back to {@code [out, in]}. */
  Map<String, float[]> hfTensors(Map<String, long[]> shapes) {
    Map<String, float[]> out = new LinkedHashMap<>();
    for (Map.Entry<String, NDArray> e : params.entrySet()) {
      NDArray p = e.getValue();
      float[] data = p.toFloatArray();
      long[] shape = p.getShape().getShape();
      if (linear(e.getKey(), shape)) {
        data = transpose(data, (int) shape[0], (int) shape[1]);
        shape = new long[] {shape[1], shape[0]};
      }
      out.put(e.getKey(), data);
      shapes.put(e.getKey(), shape);
    }
    return out;
  }
}
