package io.maskkv.bench.train;

import ai.djl.ndarray.NDArray;
import io.maskkv.common.model.ModelConfig;
import io.maskkv.worker.checkpoint.TensorNames;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A pointer-chasing starting point for multi-hop variable tracking, on top of {@link BindingPrior}.
 *
 * <p>Why: in "var x3 = v17 . … var x9 = x3 ." the question about x9 needs two lookups in a row, and a model with
 * only the binding circuit stays at picking a random chain root (measured: the bundled model, fine-tuned on one-hop
 * chains for 2,300 steps, stayed at chance, about 40% on the trainer's held-out sequences). The lookup it lacks is context-side: the x3 in "x9 = x3" must
 * find the statement that assigns x3, i.e. the position whose token two places back is x3 (the v17). Layer 0's
 * offset −2 head already writes a copy of that two-back token into the reserved dimensions ({@link BindingPrior}),
 * so a head whose key reads the copy and whose query reads the position's own token through the same copy map
 * matches exactly those pairs. One such head per middle layer resolves one more link at every statement at once
 * (x9's statement learns v17 after two layers), and a binding head in the last layer then hands the resolved value
 * to the answer slot. Only query and key weights are set; values, outputs and everything else stay random and
 * trainable, and the checkpoint is a plain LLaDA one.
 *
 * <p>The hop heads' query and key and the copy head's value stay fixed ({@link #frozen}): the hop query is the copy
 * map frozen at the start, so once the copy head's value drifts the two sides no longer match. Measured without the
 * freeze: at step 0 a hop head put 36% of its weight on the right chain root and 0.1% on the other; after 3,000
 * steps 12% and 23%, and vartrack never left chance. With the freeze the circuit faded too (5% and 6% after 1,700
 * steps, as the residual it reads changed) and vartrack stayed at chance: the prior is an experiment that did not
 * work (docs/accuracy.md, issue 18, fifth stage).
 */
final class HopPrior {
  /** The head of each layer that starts as a hop (head 0 is the binding match). */
  static final int HOP_HEAD = 1;

  private HopPrior() {}

  /**
   * Layers 1..L-2: head {@link #HOP_HEAD} matches its own token's copy against the reserved two-back copy; layers
   * 2..L-1: head 0 starts as the binding match layer 1's head 0 has.
   *
   * @param copyHead the layer-0 head (an offset −2 head) whose copy the reserved dimensions hold
   */
  static void apply(Map<String, NDArray> params, TensorNames names, ModelConfig c, int copyHead,
      SplittableRandom rnd) {
    if (c.layers() < 3 || c.heads() < 2) {
      throw new IllegalArgumentException("the hop prior needs at least 3 layers and 2 heads");
    }
    int d = c.hiddenSize();
    int hd = c.headDim();
    int base = d - BindingPrior.reservedDims(c);
    float[] v0 = params.get(names.v(0)).toFloatArray(); // [in = d, out = d]
    for (int l = 1; l < c.layers(); l++) {
      if (l < c.layers() - 1) {
        // query: the own token's copy (what the offset head would have written for it), read from the embedding
        // dimensions; key: the reserved copy of the token two back
        double[][] map = BindingPrior.randomMap(rnd, hd, c);
        double[][] own = new double[base][];
        for (int in = 0; in < base; in++) {
          own[in] = new double[map[0].length];
          for (int i = 0; i < hd; i++) {
            double w = v0[in * d + copyHead * hd + i];
            for (int j = 0; j < map[0].length; j++) {
              own[in][j] += w * map[i][j];
            }
          }
        }
        BindingPrior.setMatch(params.get(names.q(l)), c, HOP_HEAD, 0, own);
        BindingPrior.setMatch(params.get(names.k(l)), c, HOP_HEAD, base, map);
      }
      if (l > 1) {
        double[][] map = BindingPrior.randomMap(rnd, hd, c);
        BindingPrior.setMatch(params.get(names.q(l)), c, 0, base, map);
        BindingPrior.setMatch(params.get(names.k(l)), c, 0, base, map);
      }
    }
  }

  /**
   * Trainability masks (1 trainable, 0 fixed) for the tensors the prior keeps fixed: the copy head's columns of
   * layer 0's value projection and the hop heads' columns of the middle layers' query and key projections.
   */
  static Map<String, float[]> frozen(TensorNames names, ModelConfig c, int copyHead) {
    Map<String, float[]> masks = new LinkedHashMap<>();
    masks.put(names.v(0), headMask(c, copyHead));
    for (int l = 1; l < c.layers() - 1; l++) {
      masks.put(names.q(l), headMask(c, HOP_HEAD));
      masks.put(names.k(l), headMask(c, HOP_HEAD));
    }
    return masks;
  }

  /** A {@code [in = d, out = d]} mask that fixes head {@code head}'s output columns. */
  private static float[] headMask(ModelConfig c, int head) {
    int d = c.hiddenSize();
    int hd = c.headDim();
    float[] mask = new float[d * d];
    Arrays.fill(mask, 1f);
    PositionalHeads.clearHead(mask, d, head, hd);
    return mask;
  }
}
