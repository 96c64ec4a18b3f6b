package io.maskkv.bench.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.Activation;
import io.maskkv.common.model.ModelConfig;
import io.maskkv.worker.checkpoint.TensorNames;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The LLaDA architecture written for autograd: the same math as the serving forward (RMSNorm, rotate-half RoPE,
 * bidirectional attention, SwiGLU, untied head), but over a batch and without per-layer scopes (backward needs the
 * activations). Linear weights are held as {@code [in, out]} so every op is called on an activation (in DJL
 * an op's result belongs to the manager of the array it is called on); {@link #hfTensors}
 * transposes them back to the Hugging Face {@code [out, in]} layout.
 */
final class TrainableModel {
  final ModelConfig config;
  final Map<String, NDArray> params = new LinkedHashMap<>();
  private final TensorNames names;

  TrainableModel(ModelConfig config, NDManager manager, long seed, java.util.List<Integer> offsetHeads,
      boolean bindingPrior) {
    this.config = config;
    this.names = TensorNames.of(config.family());
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
    long b = tokens.getShape().get(0);
    long len = tokens.getShape().get(1);
    int d = config.hiddenSize();
    int heads = config.heads();
    int hd = config.headDim();
    NDArray x = tokens.getNDArrayInternal().embedding(tokens, params.get(names.embedding()), SparseFormat.DENSE)
        .singletonOrThrow();
    NDArray[] cosSin = rope(len, step);
    for (int l = 0; l < config.layers(); l++) {
      NDArray h = rmsNorm(x, params.get(names.attnNorm(l)));
      NDArray q = heads(h.matMul(params.get(names.q(l))), b, len, heads, hd);
      NDArray k = heads(h.matMul(params.get(names.k(l))), b, len, heads, hd);
      NDArray v = heads(h.matMul(params.get(names.v(l))), b, len, heads, hd);
      q = rotate(q, cosSin, hd);
      k = rotate(k, cosSin, hd);
      NDArray att = q.matMul(k.transpose(0, 1, 3, 2)).mul((float) (1 / Math.sqrt(hd))).softmax(-1).matMul(v);
      x = x.add(att.transpose(0, 2, 1, 3).reshape(b, len, d).matMul(params.get(names.attnOut(l))));
      h = rmsNorm(x, params.get(names.ffnNorm(l)));
      NDArray gate = h.matMul(params.get(names.gate(l)));
      NDArray up = h.matMul(params.get(names.up(l)));
      x = x.add(gate.mul(Activation.sigmoid(gate)).mul(up).matMul(params.get(names.down(l))));
    }
    NDArray last = x.get(":, " + (len - rows) + ":, :");
    return rmsNorm(last, params.get(names.finalNorm())).matMul(params.get(names.lmHead()));
  }

  private NDArray rmsNorm(NDArray x, NDArray w) {
    return x.div(x.square().mean(new int[] {-1}, true).add((float) config.rmsNormEps()).sqrt()).mul(w);
  }

  private static NDArray heads(NDArray t, long b, long len, int heads, int hd) {
    return t.reshape(b, len, heads, hd).transpose(0, 2, 1, 3); // [B, H, L, hd]
  }

  private NDArray[] rope(long len, NDManager step) {
    int hd = config.headDim();
    io.maskkv.worker.engine.Rope r = new io.maskkv.worker.engine.Rope(hd, config.ropeTheta());
    int[] pos = java.util.stream.IntStream.range(0, (int) len).toArray();
    return r.tables(pos, step); // [L, hd] each
  }

  private static NDArray rotate(NDArray t, NDArray[] cosSin, int hd) {
    int half = hd / 2;
    NDArray first = t.get(":, :, :, :" + half);
    NDArray second = t.get(":, :, :, " + half + ":");
    NDArray rotated = NDArrays.concat(new NDList(second.neg(), first), 3);
    return t.mul(cosSin[0]).add(rotated.mul(cosSin[1]));
  }

  /** The parameters as Hugging Face tensors: linear weights transposed back to {@code [out, in]}. */
  Map<String, float[]> hfTensors(Map<String, long[]> shapes) {
    Map<String, float[]> out = new LinkedHashMap<>();
    for (Map.Entry<String, NDArray> e : params.entrySet()) {
      NDArray p = e.getValue();
      float[] data = p.toFloatArray();
      long[] shape = p.getShape().getShape();
      if (shape.length == 2 && !e.getKey().equals(names.embedding())) {
        int in = (int) shape[0];
        int outDim = (int) shape[1];
        float[] t = new float[data.length];
        for (int i = 0; i < in; i++) {
          for (int o = 0; o < outDim; o++) {
            t[o * in + i] = data[i * outDim + o];
          }
        }
        data = t;
        shape = new long[] {outDim, in};
      }
      out.put(e.getKey(), data);
      shapes.put(e.getKey(), shape);
    }
    return out;
  }
}
