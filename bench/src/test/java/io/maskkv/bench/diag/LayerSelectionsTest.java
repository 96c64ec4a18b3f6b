package io.maskkv.bench.diag;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.maskkv.worker.evict.Scorer;
import io.maskkv.worker.evict.SnapKvScorer;
import io.maskkv.worker.evict.TopK;
import org.junit.jupiter.api.Test;

class LayerSelectionsTest {
  /** Scores as SnapKV leaves them: the window forced, a vote for position 3 and a weaker one for 10. */
  private static float[] snapScores(int promptLength) {
    float[] s = new float[promptLength];
    s[3] = 0.9f;
    s[10] = 0.5f;
    int w = SnapKvScorer.WINDOW;
    for (int j = promptLength - w; j < promptLength; j++) {
      s[j] = Scorer.FORCED + (j - (promptLength - w)) * Scorer.FORCED_STEP;
    }
    return s;
  }

  /** Below the window size SnapKV keeps only the prompt's tail; the window's vote is what it looked at. */
  @Test
  void theWindowVoteIgnoresTheForcedWindowWhatSnapKvKeepsDoesNot() {
    float[] s = snapScores(100);
    assertArrayEquals(new int[] {97, 98, 99}, TopK.select(s, 3));
    assertArrayEquals(new int[] {3, 10}, LayerSelections.windowVote(s, 2));
  }

  @Test
  void overlapIsSharedPositionsOverTheBudget() {
    assertEquals(0.5, LayerSelections.overlap(new int[] {1, 4, 7, 9}, new int[] {2, 4, 9, 11}, 4), 1e-12);
    assertEquals(0.0, LayerSelections.overlap(new int[] {1}, new int[] {2}, 1), 1e-12);
    assertEquals(0.5, LayerSelections.overlap(new int[] {5}, new int[] {5}, 2), 1e-12);
  }

  @Test
  void answerKeptAndAnswerMass() {
    boolean[] answer = new boolean[6];
    answer[2] = true;
    assertEquals(1.0, LayerSelections.keepsAnswer(new int[] {0, 2}, answer));
    assertEquals(0.0, LayerSelections.keepsAnswer(new int[] {0, 1, 5}, answer));
    // two heads, two rows each: head 0 puts 1.0 of its 2.0 on position 2, head 1 puts 0.5
    float[][] sums = {{0.5f, 0, 1.0f, 0.5f, 0, 0, 0, 0}, {1.0f, 0, 0.5f, 0, 0, 0.5f, 0, 0}};
    assertEquals((0.5 + 0.25) / 2, LayerSelections.answerMass(sums, 2, answer), 1e-6);
  }
}
