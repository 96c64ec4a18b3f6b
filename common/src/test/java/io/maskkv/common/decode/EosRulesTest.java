package io.maskkv.common.decode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import org.junit.jupiter.api.Test;

/** LLaDA generate.py's logits_eos_inf and confidence_eos_eot_inf, as the reference applies them. */
class EosRulesTest {
  private static final int EOS = 4;
  private static final int EOT = 5;
  // EOS is the most likely token, EOT the second, then token 1
  private static final float[] ROW = {0f, 1f, 0.5f, 0f, 3f, 2f};

  private static TokenChooser chooser(boolean logitsEosInf, boolean confidenceEosEotInf) {
    return new TokenChooser(Remasking.LOW_CONFIDENCE, 0, 1, 0, 1)
        .withEosRules(logitsEosInf, confidenceEosEotInf, EOS, EOT);
  }

  private static double softmax(float[] row, int index, int... skipped) {
    double sum = 0;
    outer:
    for (int j = 0; j < row.length; j++) {
      for (int s : skipped) {
        if (s == j) {
          continue outer;
        }
      }
      sum += Math.exp(row[j]);
    }
    return Math.exp(row[index]) / sum;
  }

  @Test
  void offByDefault() {
    Candidate c = chooser(false, false).choose(0, ROW, 0, ROW.length);
    assertEquals(EOS, c.token());
    assertEquals(softmax(ROW, EOS), c.confidence(), 1e-12);
  }

  @Test
  void logitsEosInfNeverPredictsEosAndDropsItFromTheConfidence() {
    Candidate c = chooser(true, false).choose(0, ROW, 0, ROW.length);
    assertEquals(EOT, c.token());
    assertEquals(softmax(ROW, EOT, EOS), c.confidence(), 1e-12);
  }

  /** The reference's assignment after the argmax only changes the logits the confidence is read from at EOT. */
  @Test
  void confidenceEosEotInfGivesAnEotPredictionNoConfidence() {
    TokenChooser both = chooser(true, true);
    Candidate c = both.choose(0, ROW, 0, ROW.length);
    assertEquals(EOT, c.token());
    assertEquals(0.0, c.confidence());
    // alone, an EOS prediction keeps its confidence, renormalised without EOT (the quirk of the reference)
    Candidate eos = chooser(false, true).choose(0, ROW, 0, ROW.length);
    assertEquals(EOS, eos.token());
    assertEquals(softmax(ROW, EOS, EOT), eos.confidence(), 1e-12);
    assertNotEquals(softmax(ROW, EOS), eos.confidence());
  }
}
