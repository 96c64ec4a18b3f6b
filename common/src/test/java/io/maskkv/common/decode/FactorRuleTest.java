package io.maskkv.common.decode;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Fast-dLLM's factor rule (get_transfer_index_dynamic) and Dream's top-p cut-off, as their references have them. */
class FactorRuleTest {
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
}
