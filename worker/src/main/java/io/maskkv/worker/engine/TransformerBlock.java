package io.maskkv.worker.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Activation;
import io.maskkv.common.model.ModelConfig;

/**
 * The LLaDA / Dream transformer block (LLaDA's LLaDALlamaBlock, Qwen2's decoder layer for Dream), the only copy of its math: the
 * whole-sequence and cached forward, the streamed long prefill and the trainer all call these pieces. Reads like
 * the paper: norm, q/k/v, rotary, attention, output projection, residual, norm, SwiGLU, residual.
 *
 * <p>What attends is left to the caller, between the q/k/v pieces and {@link #attentionResidual}: serving attends
 * over a {@link KvView}'s kept keys in score chunks, a streamed prefill one row chunk of queries at a time, the
 * trainer a whole batch at once. Rows may be {@code [n, d]} or batched {@code [B, n, d]}; head-split arrays are
 * then {@code [heads, n, hd]} or {@code [B, heads, n, hd]}. Every op is called on an activation, never on a
 * weight, so results belong to the caller's manager rather than the weights' (and autograd records them all: no
 * op here is a shortcut around it).
 */
public final class TransformerBlock {
  private final ModelConfig config;
  private final Rope rope;

  public TransformerBlock(ModelConfig config) {
    this.config = config;
    this.rope = new Rope(config.headDim(), config.ropeTheta());
  }

  /** cos and sin tables {@code [n, hd]} for the given absolute positions (they broadcast over heads and batch). */
  public NDArray[] ropeTables(int[] positions, NDManager owner) {
    return rope.tables(positions, owner);
  }

  /** The rows attention reads its q, k and v from. */
  public NDArray attentionNorm(NDArray x, LayerWeights w) {
    return rmsNorm(x, w.attnNorm());
  }

  /** Post-RoPE queries {@code [.., heads, n, hd]} of normed rows {@code h}. */
  public NDArray queries(NDArray h, LayerWeights w, NDArray[] cosSin) {
    return rope.apply(heads(project(h, w.wq(), w.bq()), config.heads()), cosSin);
  }

  /** Post-RoPE keys {@code [.., kvHeads, n, hd]}. */
  public NDArray keys(NDArray h, LayerWeights w, NDArray[] cosSin) {
    return rope.apply(heads(project(h, w.wk(), w.bk()), config.kvHeads()), cosSin);
  }

  /** Values {@code [.., kvHeads, n, hd]}. */
  public NDArray values(NDArray h, LayerWeights w) {
    return heads(project(h, w.wv(), w.bv()), config.kvHeads());
  }

  /** {@code x + attended·Wo}: the output projection and the first residual. */
  public NDArray attentionResidual(NDArray x, NDArray attended, LayerWeights w) {
    return x.add(linear(attended, w.wo()));
  }

  /** The MLP half of the block: {@code x + down(SiLU(gate(norm(x))) * up(norm(x)))}. */
  public NDArray feedForwardResidual(NDArray x, LayerWeights w) {
    NDArray h = rmsNorm(x, w.ffnNorm());
    NDArray gate = linear(h, w.wGate());
    NDArray up = linear(h, w.wUp());
    return x.add(linear(gate.mul(Activation.sigmoid(gate)).mul(up), w.wDown()));
  }

  /** RMSNorm in fp32: {@code w * x / sqrt(mean(x²) + eps)}; the final norm before the head is one too. */
  public NDArray rmsNorm(NDArray x, NDArray weight) {
    NDArray ms = x.square().mean(new int[] {-1}, true);
    return x.div(ms.add((float) config.rmsNormEps()).sqrt()).mul(weight);
  }

  /** {@code [.., n, count*hd]} to {@code [.., count, n, hd]}. */
  private NDArray heads(NDArray y, int count) {
    long[] shape = y.getShape().getShape();
    int rank = shape.length + 1;
    long[] split = new long[rank];
    System.arraycopy(shape, 0, split, 0, shape.length - 1);
    split[rank - 2] = count;
    split[rank - 1] = config.headDim();
    int[] order = new int[rank];
    for (int i = 0; i < rank; i++) {
      order[i] = i;
    }
    order[rank - 3] = rank - 2;
    order[rank - 2] = rank - 3;
    return y.reshape(split).transpose(order);
  }

  /**
   * {@code x·w} for fp32 rows and a weight in any precision ({@link WeightPrecision}): rows are cast to the
   * weight's type for the GEMM (bf16/fp16 tensor cores on CUDA) and the product back to fp32, so everything
   * between the matrix products stays fp32. With fp32 weights this is the plain product.
   */
  public static NDArray linear(NDArray x, NDArray w) {
    DataType t = w.getDataType();
    if (t == x.getDataType()) {
      return x.matMul(w);
    }
    return x.toType(t, false).matMul(w).toType(DataType.FLOAT32, false);
  }

  private static NDArray project(NDArray h, NDArray w, NDArray bias) {
    NDArray y = linear(h, w);
    return bias == null ? y : y.add(bias);
  }
}
