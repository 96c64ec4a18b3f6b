package io.maskkv.bench.diag;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.maskkv.worker.engine.Attention;
import io.maskkv.worker.engine.AttentionKeys;
import io.maskkv.worker.engine.KvView;
import io.maskkv.worker.engine.Queries;
import io.maskkv.worker.evict.MaskVotingScorer;
import io.maskkv.worker.evict.Scores;
import io.maskkv.worker.evict.SnapKvScorer;
import io.maskkv.worker.evict.TopK;
import java.util.Arrays;

/**
 * The attention-overlap diagnostic, accumulated over prompts: at the first denoising step (every response position
 * masked), for each layer and budget, how far the prompt positions MaskKV's mask rows choose agree with those
 * SnapKV's last-window prompt rows choose, whether each keeps an answer-bearing token, and the attention mass each
 * row block puts on them. Scores come from the serving engine's own scorers ({@link MaskVotingScorer},
 * {@link SnapKvScorer}) on the layer's real queries and keys, through a {@link KvView} hook.
 */
public final class AttentionOverlap {
  /** Per layer and budget: overlap kept, overlap vote, answer kept by maskkv / snapkv / window vote. */
  private static final int PER_BUDGET = 5;
  /** Per layer: answer mass of the mask rows, of the window rows, and of uniform attention. */
  private static final int PER_LAYER = 3;

  private final int[] budgets;
  private final double[][] sums;
  private int prompts;

  public AttentionOverlap(int layers, int[] budgets) {
    this.budgets = budgets.clone();
    this.sums = new double[layers][PER_LAYER + PER_BUDGET * budgets.length];
  }

  /**
   * The view for one prompt's first step: attends densely like {@link KvView#NONE} and measures each layer after
   * its attention.
   *
   * @param answerBearing per prompt position, whether it holds the answer's token
   */
  public KvView view(int promptLength, boolean[] answerBearing, int kvHeads) {
    prompts++;
    return new KvView() {
      @Override
      public AttentionKeys keys(int layer, NDArray k, NDArray v, NDManager step) {
        return new AttentionKeys(k, v, null);
      }

      @Override
      public void afterAttention(int layer, Queries q, AttentionKeys keys, NDManager step) {
        measure(layer, q, keys, promptLength, answerBearing, kvHeads, step);
      }
    };
  }

  private void measure(int layer, Queries q, AttentionKeys keys, int promptLength, boolean[] answerBearing,
      int kvHeads, NDManager step) {
    double[] s = sums[layer];
    long total = q.count();
    int w = Math.min(SnapKvScorer.WINDOW, promptLength);
    s[0] += LayerSelections.answerMass(rowsOf(Attention.columnSums(q.rows(promptLength, total, step), keys, kvHeads)),
        (int) (total - promptLength), answerBearing);
    s[1] += LayerSelections.answerMass(rowsOf(Attention.columnSums(q.rows(promptLength - w, promptLength, step),
        keys, kvHeads)), w, answerBearing);
    long answers = 0;
    for (boolean a : answerBearing) {
      answers += a ? 1 : 0;
    }
    s[2] += (double) answers / total;
    Scores mask = new MaskVotingScorer().score(layer, q, keys, promptLength, kvHeads, step);
    Scores snap = new SnapKvScorer().score(layer, q, keys, promptLength, kvHeads, step);
    for (int b = 0; b < budgets.length; b++) {
      int k = Math.min(budgets[b], promptLength);
      int at = PER_LAYER + PER_BUDGET * b;
      for (int h = 0; h < kvHeads; h++) {
        int[] m = TopK.select(mask.perHead()[h], k);
        int[] kept = TopK.select(snap.perHead()[h], k);
        int[] vote = LayerSelections.windowVote(snap.perHead()[h], k);
        s[at] += LayerSelections.overlap(m, kept, k) / kvHeads;
        s[at + 1] += LayerSelections.overlap(m, vote, k) / kvHeads;
        s[at + 2] += LayerSelections.keepsAnswer(m, answerBearing) / kvHeads;
        s[at + 3] += LayerSelections.keepsAnswer(kept, answerBearing) / kvHeads;
        s[at + 4] += LayerSelections.keepsAnswer(vote, answerBearing) / kvHeads;
      }
    }
  }

  private static float[][] rowsOf(NDArray headsByKeys) {
    int heads = (int) headsByKeys.getShape().get(0);
    int keys = (int) headsByKeys.getShape().get(1);
    float[] flat = headsByKeys.toFloatArray();
    float[][] out = new float[heads][];
    for (int h = 0; h < heads; h++) {
      out[h] = Arrays.copyOfRange(flat, h * keys, (h + 1) * keys);
    }
    return out;
  }

  /** One table row per layer and budget: means over the prompts seen. */
  public record Row(int layer, int budget, double overlapKept, double overlapVote, double answerKeptMaskKv,
      double answerKeptSnapKv, double answerKeptWindowVote, double answerMassMaskRows, double answerMassWindowRows,
      double answerMassUniform, int prompts) {}

  public java.util.List<Row> rows() {
    java.util.List<Row> out = new java.util.ArrayList<>();
    for (int l = 0; l < sums.length; l++) {
      double[] s = Arrays.stream(sums[l]).map(x -> x / Math.max(1, prompts)).toArray();
      for (int b = 0; b < budgets.length; b++) {
        int at = PER_LAYER + PER_BUDGET * b;
        out.add(new Row(l, budgets[b], s[at], s[at + 1], s[at + 2], s[at + 3], s[at + 4], s[0], s[1], s[2],
            prompts));
      }
    }
    return out;
  }
}
