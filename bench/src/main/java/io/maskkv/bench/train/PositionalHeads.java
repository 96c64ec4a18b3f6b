package io.maskkv.bench.train;

import ai.djl.ndarray.NDArray;
import io.maskkv.common.model.ModelConfig;
import io.maskkv.worker.checkpoint.RandomCheckpoint;
import io.maskkv.worker.checkpoint.TensorNames;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Starts some of layer 0's heads as relative-position heads ("attend to the token {@code o} places away").
 *
 * <p>Why: key→value binding needs one such head (the value and the answer slot both pick up the key two tokens
 * before them; a later head then matches keys by content). Without biases a pre-norm Llama-style layer can only
 * build a position-only head from a direction every token shares, and gradient descent takes tens of thousands
 * of steps to find that (measured: the binding plateau outlasted 22k CPU steps). So we give every
 * embedding a shared component {@code BIAS·u} and set the head's query and key to {@code u} read through the
 * highest-frequency rotary pairs, the query rotated by {@code o·φ}: its score {@code Σ cos((m-n+o)·φ_i)} peaks
 * at key position {@code n = m + o}. Everything stays trainable and the file format is plain LLaDA; only the
 * starting point changes.
 */
final class PositionalHeads {
  /** Size of the component every embedding shares (the embeddings themselves are N(0, 1) per dimension). */
  static final double BIAS = 4.0;
  /** Rotary pairs used: the fastest ones (φ = 1, 0.44, 0.19 rad/token at θ = 500k, head dim 32). */
  static final int PAIRS = 3;
  /** Softmax logit per unit of cosine: at 12 a neighbour one place off gets about 0.1% of the weight. */
  static final double SHARPNESS = 12.0;

  private PositionalHeads() {}

  /**
   * @param reserved trailing residual dimensions kept out of the embeddings (and of the shared direction), for
   *     {@link BindingPrior} to write into; 0 for none
   */
  static void apply(Map<String, NDArray> params, TensorNames names, ModelConfig c, List<Integer> offsets,
      int reserved, SplittableRandom rnd) {
    if (offsets.isEmpty()) {
      return;
    }
    int d = c.hiddenSize();
    int hd = c.headDim();
    int half = hd / 2;
    int used = d - reserved;
    double[] u = unit(rnd, used, d);
    NDArray emb = params.get(names.embedding());
    float[] e = emb.toFloatArray();
    for (int row = 0; row < c.vocabSize(); row++) {
      // every row gets the same component along u and the same norm, so after RMSNorm every token offers the
      // same h·u and a neighbour with a larger one cannot outbid the intended position
      double along = 0;
      for (int i = 0; i < used; i++) {
        along += e[row * d + i] * u[i];
      }
      double perpNorm = 0;
      for (int i = 0; i < used; i++) {
        double perp = e[row * d + i] - along * u[i];
        perpNorm += perp * perp;
      }
      double scale = Math.sqrt((used - 1) / perpNorm);
      for (int i = 0; i < d; i++) {
        e[row * d + i] = i < used ? (float) ((e[row * d + i] - along * u[i]) * scale + BIAS * u[i]) : 0f;
      }
    }
    emb.set(e);
    // after RMSNorm (weight 1) h·u ≈ BIAS / rms(embedding)
    double hu = BIAS / Math.sqrt((used - 1 + BIAS * BIAS) / d);
    double kappa = Math.sqrt(SHARPNESS * Math.sqrt(hd)) / hu;
    NDArray wq = params.get(names.q(0));
    NDArray wk = params.get(names.k(0));
    float[] q = wq.toFloatArray(); // [in = d, out = d]
    float[] k = wk.toFloatArray();
    for (int head = 0; head < offsets.size(); head++) {
      int o = offsets.get(head);
      clearHead(q, d, head, hd);
      clearHead(k, d, head, hd);
      for (int p = 0; p < Math.min(PAIRS, half); p++) {
        double phi = 1.0 / Math.pow(c.ropeTheta(), (double) (2 * p) / hd);
        int a = head * hd + p;
        int b = a + half;
        for (int in = 0; in < d; in++) {
          k[in * d + a] = (float) (kappa * u[in]);
          q[in * d + a] = (float) (kappa * Math.cos(o * phi) * u[in]);
          q[in * d + b] = (float) (kappa * Math.sin(o * phi) * u[in]);
        }
      }
    }
    wq.set(q);
    wk.set(k);
  }

  /** Zeroes head {@code head}'s output columns of a {@code [in = d, out = d]} projection. */
  static void clearHead(float[] w, int d, int head, int hd) {
    for (int in = 0; in < d; in++) {
      java.util.Arrays.fill(w, in * d + head * hd, in * d + (head + 1) * hd, 0f);
    }
  }

  /** A random unit vector of {@code d} dimensions that is zero beyond the first {@code used}. */
  private static double[] unit(SplittableRandom rnd, int used, int d) {
    double[] u = new double[d];
    double norm = 0;
    for (int i = 0; i < used; i++) {
      u[i] = RandomCheckpoint.gaussian(rnd);
      norm += u[i] * u[i];
    }
    norm = Math.sqrt(norm);
    for (int i = 0; i < used; i++) {
      u[i] /= norm;
    }
    return u;
  }
}
