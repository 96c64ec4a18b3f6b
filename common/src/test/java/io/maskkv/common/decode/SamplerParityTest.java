package io.maskkv.common.decode;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Fast-dLLM's factor rule, Dream's top-p cut-off, schedule, origin and alg_temp, as their references have them. */
class SamplerParityTest {
  private static List<Candidate> block(double... confidences) {
    List<Candidate> c = new ArrayList<>();
    for (int i = 0; i < confidences.length; i++) {
      c.add(new Candidate(i, 100 + i, confidences[i]));
    }
    return c;
  }

  private static int committed(double factor, double... confidences) {
    return Unmasking.selectByFactor(block(confidences), factor).size();
  }

  @Test
  void theLeadingRunAboveOneMinusFactorOverNPlusOneCommits() {
    // factor 1: thresholds -1, 1 - 1/3 = 0.667, 1 - 1/4 = 0.75, 1 - 1/5 = 0.8, 1 - 1/6 = 0.833
    assertEquals(3, committed(1.0, 0.99, 0.9, 0.76, 0.5, 0.4));
    // the first always commits, however unsure
    assertEquals(1, committed(1.0, 0.1, 0.05, 0.01));
    // sorted 0.9, 0.55, 0.4, 0.2: factor 1 stops at 0.55 < 0.667; factor 2 lowers the thresholds to 0.333, 0.5,
    // 0.6 and stops at 0.4 < 0.5
    assertEquals(1, committed(1.0, 0.9, 0.4, 0.55, 0.2));
    assertEquals(2, committed(2.0, 0.9, 0.4, 0.55, 0.2));
  }

  @Test
  void referenceQuirksAreKept() {
    // every candidate passes: all commit
    assertEquals(3, committed(1.0, 0.99, 0.98, 0.97));
    // the run breaks only at the last candidate: the reference commits it anyway (top_i == len - 1 adds one)
    assertEquals(3, committed(1.0, 0.99, 0.98, 0.1));
    assertEquals(1, committed(1.0, 0.3));
  }

  @Test
  void dreamTopPKeepsTheNextTokenWhenThePrefixMassEqualsPExactly() {
    // probabilities 0.5, 0.5 exactly; top-p 0.5: the mass before the 2nd token is 0.5, not above it, so it stays
    // (cumulative_probs > top_p, shifted right) and the chosen token keeps probability 0.5, not 1
    float[] row = {0f, 0f};
    TokenChooser greedy = new TokenChooser(Remasking.MASKGIT_PLUS, 0, 0.5, 0, 1);
    Candidate c = greedy.choose(0, row, 0, 2);
    assertEquals(0, c.token());
    assertEquals(0.5, c.confidence(), 1e-12);
  }

  /** Dream's int() truncation: 16 masks over 16 steps commit 0 at the first step (1 - s/t = 0.0624). */
  @Test
  void dreamScheduleCanAskForNoTokenAndHonoursEps() {
    assertEquals(0, TransferSchedule.DREAM.count(16, 16, 0, 16));
    assertEquals(0.0624, TransferSchedule.dreamTransferProbability(0, 16, 1e-3), 1e-4);
    // a larger eps ends the schedule earlier: more per step
    assertEquals(1.0 - (1 - 0.5 / 16) , TransferSchedule.dreamTransferProbability(0, 16, 0.5), 1e-12);
    assertEquals(5, TransferSchedule.dream(0.5).count(16, 5, 15, 16));
  }

  @Test
  void originCommitsEachPositionWithTheTransferProbability() {
    List<Candidate> many = new ArrayList<>();
    for (int i = 0; i < 20000; i++) {
      many.add(new Candidate(i, 7, 0.0));
    }
    int n = Unmasking.origin(many, 0.3, new java.util.SplittableRandom(5)).size();
    assertEquals(0.3, n / 20000.0, 0.02);
    assertEquals(20000, Unmasking.origin(many, 1.0, new java.util.SplittableRandom(5)).size());
    assertEquals(0, Unmasking.origin(many.subList(0, 3), 0.0, new java.util.SplittableRandom(5)).size());
  }

  @Test
  void algTempDrawsPositionsBySoftmaxOfConfidence() {
    List<Candidate> c = block(0.9, 0.1, 0.5, 0.2);
    // a cold alg_temp is the top-k; every draw is distinct and of the requested size
    assertEquals(List.of(0, 2), Unmasking.sampleByConfidence(c, 2, 1e-4, new java.util.SplittableRandom(1))
        .stream().map(Candidate::position).sorted().toList());
    int[] hits = new int[4];
    java.util.SplittableRandom r = new java.util.SplittableRandom(9);
    for (int i = 0; i < 20000; i++) {
      hits[Unmasking.sampleByConfidence(c, 1, 0.5, r).get(0).position()]++;
    }
    // weights exp(confidence / 0.5)
    double[] w = {Math.exp(1.8), Math.exp(0.2), Math.exp(1.0), Math.exp(0.4)};
    double total = w[0] + w[1] + w[2] + w[3];
    for (int i = 0; i < 4; i++) {
      assertEquals(w[i] / total, hits[i] / 20000.0, 0.015, "position " + i);
    }
  }
}
