package io.maskkv.bench.train;

import ai.djl.ndarray.NDArray;
import io.maskkv.common.model.ModelConfig;
import io.maskkv.worker.checkpoint.RandomCheckpoint;
import io.maskkv.worker.checkpoint.TensorNames;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * An induction-circuit starting point for key→value binding, on top of {@link PositionalHeads}.
 *
 * <p>Why: with an offset −2 head the value in "key k12 is v40" and the answer slot in "key k12 ? [MASK]" both
 * pick up k12, so a layer-1 head only has to match those two copies. But the copy arrives as a small random
 * projection added onto a random embedding: at initialisation its signal is below the embedding's noise and the
 * matching form has to grow from nothing, which is the plateau training from scratch met. Here the offset head
 * writes what it reads into {@code headDim} residual dimensions the embeddings leave empty, and layer 1's head 0
 * starts as a content match over exactly those dimensions, through the slowest rotary pairs (nearly
 * position-free over thousands of tokens). Every weight stays trainable; the checkpoint is a plain LLaDA one.
 */
final class BindingPrior {
  /** Slowest rotary pairs the match uses: pairs 9..15 of 16 turn under 0.7 rad over 1,024 tokens at θ = 500k. */
  static final int SLOW_PAIRS = 7;
  /** Query/key gain: a token matching itself scores ≈ 12 logits above an unrelated one. */
  static final double MATCH_GAIN = 2.5;

  private BindingPrior() {}

  /** The residual dimensions reserved for the copy: the last {@code headDim}. */
  static int reservedDims(ModelConfig c) {
    return c.headDim();
  }

  /** @param copyHead the layer-0 head (an offset −2 head) whose copy the layer-1 head matches */
  static void apply(Map<String, NDArray> params, TensorNames names, ModelConfig c, int copyHead,
      SplittableRandom rnd) {
    if (c.layers() < 2) {
      throw new IllegalArgumentException("the binding prior needs at least 2 layers");
    }
    int d = c.hiddenSize();
    int hd = c.headDim();
    int r = reservedDims(c);
    int base = d - r;
    // layer 0: the copy head writes its value vector, unchanged, into the reserved dimensions only
    NDArray wo = params.get(names.attnOut(0));
    float[] out = wo.toFloatArray(); // [in = heads·hd, out = d]
    for (int i = 0; i < hd; i++) {
      int row = copyHead * hd + i;
      for (int col = 0; col < d; col++) {
        out[row * d + col] = col == base + i ? 1f : 0f;
      }
    }
    wo.set(out);
    // layer 1, head 0: query = key = the reserved dimensions through one random map into the slow pairs
    double[][] map = randomMap(rnd, r, c);
    setMatch(params.get(names.q(1)), c, 0, base, map);
    setMatch(params.get(names.k(1)), c, 0, base, map);
  }

  /** A random map from {@code rows} residual dimensions into the slow rotary pairs' components. */
  static double[][] randomMap(SplittableRandom rnd, int rows, ModelConfig c) {
    int cols = 2 * Math.min(SLOW_PAIRS, c.headDim() / 2);
    double[][] map = new double[rows][cols];
    for (int i = 0; i < rows; i++) {
      for (int j = 0; j < cols; j++) {
        map[i][j] = RandomCheckpoint.gaussian(rnd) / Math.sqrt(rows);
      }
    }
    return map;
  }

  /**
   * Clears head {@code head} of a query or key projection and sets it to read residual dimensions
   * {@code from..from+map.length-1} through {@code map} (scaled by {@link #MATCH_GAIN}) into its slowest rotary
   * pairs, nearly position-free over thousands of tokens.
   */
  static void setMatch(NDArray projection, ModelConfig c, int head, int from, double[][] map) {
    int d = c.hiddenSize();
    int hd = c.headDim();
    int half = hd / 2;
    int pairs = Math.min(SLOW_PAIRS, half);
    float[] w = projection.toFloatArray(); // [in = d, out = d]
    PositionalHeads.clearHead(w, d, head, hd);
    for (int j = 0; j < 2 * pairs; j++) {
      int p = half - pairs + j % pairs; // a slow pair
      int col = head * hd + (j < pairs ? p : p + half); // both of its components
      for (int i = 0; i < map.length; i++) {
        w[(from + i) * d + col] = (float) (MATCH_GAIN * map[i][j]);
      }
    }
    projection.set(w);
  }
}
