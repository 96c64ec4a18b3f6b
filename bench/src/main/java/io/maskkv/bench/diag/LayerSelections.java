package io.maskkv.bench.diag;

import io.maskkv.worker.evict.SnapKvScorer;
import io.maskkv.worker.evict.TopK;

/**
 * What each scorer keeps of one head's prompt at one budget, and how those sets relate: the pure arithmetic of the
 * attention-overlap diagnostic, kept apart from the model so it can be tested on hand-made scores.
 *
 * <p>SnapKV is looked at twice. As it keeps: its window (the last {@link SnapKvScorer#WINDOW} prompt tokens) is
 * forced and counts inside the budget, so below 32 entries it keeps only the prompt's tail whatever the window
 * votes for. As the window votes: the top-k of its pooled scores outside the window, which is what the observation
 * rows attend to and what SnapKV would add at a budget above the window.
 */
public final class LayerSelections {
  private LayerSelections() {}

  /** Top-{@code k} of SnapKV's scores with the window itself left out (its forced scores say nothing). */
  public static int[] windowVote(float[] snapScores, int k) {
    int promptLength = snapScores.length;
    int w = Math.min(SnapKvScorer.WINDOW, promptLength);
    float[] outside = snapScores.clone();
    for (int j = promptLength - w; j < promptLength; j++) {
      outside[j] = Float.NEGATIVE_INFINITY;
    }
    return TopK.select(outside, Math.min(k, promptLength - w));
  }

  /** |a ∩ b| / k for two ascending position sets (k: the budget, so two short sets are not a full overlap). */
  public static double overlap(int[] a, int[] b, int k) {
    int i = 0;
    int j = 0;
    int both = 0;
    while (i < a.length && j < b.length) {
      if (a[i] == b[j]) {
        both++;
        i++;
        j++;
      } else if (a[i] < b[j]) {
        i++;
      } else {
        j++;
      }
    }
    return k == 0 ? 0 : (double) both / k;
  }

  /** 1 when the ascending set {@code kept} holds at least one answer-bearing position, else 0. */
  public static double keepsAnswer(int[] kept, boolean[] answerBearing) {
    for (int p : kept) {
      if (answerBearing[p]) {
        return 1;
      }
    }
    return 0;
  }

  /**
   * Share of a row block's attention on answer-bearing columns: {@code columnSums [heads][keys]} summed over
   * {@code rows} query rows whose softmax each sums to 1, averaged over heads.
   */
  public static double answerMass(float[][] columnSums, int rows, boolean[] answerBearing) {
    double total = 0;
    for (float[] head : columnSums) {
      double on = 0;
      for (int p = 0; p < answerBearing.length; p++) {
        if (answerBearing[p]) {
          on += head[p];
        }
      }
      total += on / rows;
    }
    return total / columnSums.length;
  }
}
