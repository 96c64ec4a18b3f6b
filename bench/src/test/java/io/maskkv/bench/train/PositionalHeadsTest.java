package io.maskkv.bench.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import io.maskkv.common.model.ModelConfig;
import io.maskkv.common.model.ModelFamily;
import io.maskkv.common.model.ModelShapes;
import io.maskkv.worker.checkpoint.TensorNames;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Layer 0's initialised heads attend where they were told to, computed here by hand from the raw weights. */
class PositionalHeadsTest {
  private static final int LEN = 48;

  @Test
  void eachInitialisedHeadPutsMostOfItsWeightOnItsOffset() {
    ModelConfig c = ModelShapes.small(ModelFamily.LLADA, 2, 128, 4, 4, 612, 384);
    List<Integer> offsets = List.of(-1, -2, -3);
    try (NDManager m = NDManager.newBaseManager()) {
      TrainableModel model = new TrainableModel(c, m, 5, offsets, false, false);
      TensorNames n = TensorNames.of(ModelFamily.LLADA);
      float[] emb = model.params.get(n.embedding()).toFloatArray();
      float[] wq = model.params.get(n.q(0)).toFloatArray();
      float[] wk = model.params.get(n.k(0)).toFloatArray();
      int d = c.hiddenSize();
      int hd = c.headDim();
      int[] tokens = new SplittableRandom(9).ints(LEN, 0, 605).toArray();
      for (int head = 0; head < offsets.size(); head++) {
        double[][] q = new double[LEN][];
        double[][] k = new double[LEN][];
        for (int p = 0; p < LEN; p++) {
          double[] h = rmsNorm(emb, tokens[p], d);
          q[p] = rope(project(h, wq, d, head, hd), p, hd, c.ropeTheta());
          k[p] = rope(project(h, wk, d, head, hd), p, hd, c.ropeTheta());
        }
        int o = offsets.get(head);
        for (int row = 3; row < LEN; row++) {
          double[] probs = softmaxRow(q[row], k, hd);
          int best = 0;
          for (int col = 1; col < LEN; col++) {
            best = probs[col] > probs[best] ? col : best;
          }
          assertEquals(row + o, best, "head " + head + " row " + row);
          assertTrue(probs[row + o] > 0.8, "head " + head + " row " + row + " weight " + probs[row + o]);
        }
      }
    }
  }

  private static double[] rmsNorm(float[] emb, int token, int d) {
    double ss = 0;
    for (int i = 0; i < d; i++) {
      ss += emb[token * d + i] * emb[token * d + i];
    }
    double r = Math.sqrt(ss / d + 1e-5);
    double[] h = new double[d];
    for (int i = 0; i < d; i++) {
      h[i] = emb[token * d + i] / r;
    }
    return h;
  }

  /** Head {@code head}'s slice of {@code h · W} with W stored [in, out]. */
  private static double[] project(double[] h, float[] w, int d, int head, int hd) {
    double[] out = new double[hd];
    for (int j = 0; j < hd; j++) {
      for (int i = 0; i < d; i++) {
        out[j] += h[i] * w[i * d + head * hd + j];
      }
    }
    return out;
  }

  /** Rotate-half RoPE, written out: (a, b) → (a cos − b sin, b cos + a sin). */
  private static double[] rope(double[] x, int pos, int hd, double theta) {
    int half = hd / 2;
    double[] out = new double[hd];
    for (int i = 0; i < half; i++) {
      double angle = pos / Math.pow(theta, (double) (2 * i) / hd);
      out[i] = x[i] * Math.cos(angle) - x[i + half] * Math.sin(angle);
      out[i + half] = x[i + half] * Math.cos(angle) + x[i] * Math.sin(angle);
    }
    return out;
  }

  private static double[] softmaxRow(double[] q, double[][] k, int hd) {
    double[] s = new double[k.length];
    double max = Double.NEGATIVE_INFINITY;
    for (int j = 0; j < k.length; j++) {
      for (int i = 0; i < hd; i++) {
        s[j] += q[i] * k[j][i];
      }
      s[j] /= Math.sqrt(hd);
      max = Math.max(max, s[j]);
    }
    double sum = 0;
    for (int j = 0; j < k.length; j++) {
      s[j] = Math.exp(s[j] - max);
      sum += s[j];
    }
    for (int j = 0; j < k.length; j++) {
      s[j] /= sum;
    }
    return s;
  }
}
