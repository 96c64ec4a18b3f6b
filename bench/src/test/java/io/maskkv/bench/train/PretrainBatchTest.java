package io.maskkv.bench.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.maskkv.bench.tasks.TaskGenerator;
import io.maskkv.bench.tasks.TaskRegistry;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PretrainBatchTest {
  private final Vocabulary vocab = new Vocabulary();
  private final List<TaskGenerator> tasks = List.of(TaskRegistry.get("multikey"), TaskRegistry.get("needle"));

  private static TrainConfig config(double fillerRatio, int batch) {
    return new TrainConfig(1, 32, 2, 64, "multikey,needle", 96, 2, batch, 1e-3, 1, 3, List.of(), 1, false,
        TrainConfig.Objective.PRETRAIN, fillerRatio);
  }

  /** Unlike the answer objective, context and question positions are masked and supervised too. */
  @Test
  void masksAndSupervisesContextPositionsNotOnlyTheAnswerSlots() {
    TrainConfig c = config(0, 64);
    Batch b = PretrainBatch.sample(c, tasks, vocab, new SplittableRandom(1));
    int total = c.length() + c.answerSlots();
    int maskedContext = 0;
    int maskedAnswer = 0;
    for (int pos = 0; pos < b.tokens().length; pos++) {
      boolean masked = b.tokens()[pos] == vocab.mask();
      assertEquals(masked, b.weights()[pos] > 0, "supervised exactly where masked, at " + pos);
      if (!masked) {
        assertEquals(b.targets()[pos], b.tokens()[pos], "an unmasked position is the clean token");
      }
      if (masked && pos % total < c.length()) {
        maskedContext++;
      } else if (masked) {
        maskedAnswer++;
      }
    }
    // E[p] ≈ 1/2, so about half of the 64·96 prompt positions
    assertTrue(maskedContext > 1000, "masked prompt positions: " + maskedContext);
    assertTrue(maskedAnswer > 20, "masked answer slots: " + maskedAnswer);
    assertTrue(b.supervisedRows() >= total - 1, "logits are needed for (nearly) every row");
  }

  /** A task sequence is the answer layout: prompt of exactly L tokens, the answer word, EOS padding. */
  @Test
  void taskSequencesKeepTheAnswerLayoutAndFillerSequencesHoldNoFacts() {
    Batch tasksOnly = PretrainBatch.sample(config(0, 16), tasks, vocab, new SplittableRandom(2));
    Batch fillerOnly = PretrainBatch.sample(config(1, 16), tasks, vocab, new SplittableRandom(2));
    int total = 96 + 2;
    int key = vocab.ids.get("key");
    int passkey = vocab.ids.get("passkey");
    for (int s = 0; s < 16; s++) {
      int off = s * total;
      assertEquals(vocab.eos(), tasksOnly.targets()[off + total - 1], "EOS after the answer");
      assertTrue(tasksOnly.targets()[off + 96] != vocab.eos(), "the answer word in slot 0");
      for (int i = 0; i < total; i++) {
        int tok = fillerOnly.targets()[off + i];
        assertFalse(tok == key || tok == passkey || tok == vocab.eos(), "filler is plain text, no facts");
      }
    }
  }

  /**
   * LLaDA's loss Σ_masked CE / p / L is an unbiased estimate of the per-token loss: each masked position is
   * weighted 1/(p·L), all positions of a sequence share one p in [eps, 1], and over many sequences the weights of
   * a sequence sum to 1 on average (a 1/t clamp or a per-masked-token mean would not).
   */
  @Test
  void weightsAreOneOverPTimesLengthAndAverageToOnePerSequence() {
    TrainConfig c = config(0.5, 512);
    Batch b = PretrainBatch.sample(c, tasks, vocab, new SplittableRandom(3));
    int total = c.length() + c.answerSlots();
    double sumOfSums = 0;
    for (int s = 0; s < c.batch(); s++) {
      float w = 0;
      double sum = 0;
      for (int i = 0; i < total; i++) {
        float wi = b.weights()[s * total + i];
        if (wi > 0) {
          if (w == 0) {
            w = wi;
          }
          assertEquals(w, wi, 1e-6f, "one weight per sequence");
          sum += wi;
        }
      }
      if (w > 0) {
        double p = 1 / (w * total);
        assertTrue(p >= TrainConfig.PRETRAIN_EPS * 0.999 && p <= 1.0001, "p = " + p);
      }
      sumOfSums += sum;
    }
    assertEquals(1.0, sumOfSums / c.batch(), 0.08);
    assertEquals(TrainConfig.PRETRAIN_EPS, PretrainBatch.maskRatio(0), 1e-12);
    assertEquals(1.0, PretrainBatch.maskRatio(1), 1e-12);
  }

  @Test
  void theTrainingStreamFollowsTheObjective() {
    TrainConfig pre = config(0, 4);
    TrainConfig answer = new TrainConfig(1, 32, 2, 64, "multikey,needle", 96, 2, 4, 1e-3, 1, 3, List.of(), 1, false);
    Batch p = Batch.sample(pre, tasks, vocab, 5);
    Batch a = Batch.sample(answer, tasks, vocab, 5);
    int total = 98;
    long promptMasksP = 0;
    long promptMasksA = 0;
    for (int pos = 0; pos < p.tokens().length; pos++) {
      if (pos % total < 96) {
        promptMasksP += p.tokens()[pos] == vocab.mask() ? 1 : 0;
        promptMasksA += a.tokens()[pos] == vocab.mask() ? 1 : 0;
      }
    }
    assertTrue(promptMasksP > 0);
    assertEquals(0, promptMasksA, "the answer objective never masks the prompt");
  }

  /**
   * The mixed objective draws each sequence's kind: about answerShare of them are answer sequences (clean prompt,
   * only answer slots supervised, weight 1/t ≥ 1), the rest pretrain sequences (prompt positions masked, weight
   * 1/(p·L)); answer share 0 and 1 give no sequence of the other kind.
   */
  @Test
  void theMixedObjectiveDrawsAnswerAndPretrainSequencesByTheShare() {
    int total = 98;
    for (double share : new double[] {0, 0.25, 1}) {
      TrainConfig c = new TrainConfig(1, 32, 2, 64, "multikey,needle", 96, 2, 256, 1e-3, 1, 3, List.of(), 1, false,
          TrainConfig.Objective.MIXED, 0.2, share, 0, 0, 0);
      Batch b = Batch.sample(c, tasks, vocab, 7);
      int answerSeqs = 0;
      for (int s = 0; s < c.batch(); s++) {
        int off = s * total;
        int promptMasks = 0;
        boolean answerMasked = false;
        float slotWeight = 0;
        for (int i = 0; i < total; i++) {
          boolean masked = b.tokens()[off + i] == vocab.mask();
          assertEquals(masked, b.weights()[off + i] > 0, "supervised exactly where masked");
          if (masked && i < 96) {
            promptMasks++;
          } else if (masked) {
            answerMasked = true;
            slotWeight = b.weights()[off + i];
          }
        }
        // an answer sequence always masks at least one slot and never its prompt, weighted 1/t in [1, 10]
        if (promptMasks == 0 && answerMasked && slotWeight >= 1f) {
          answerSeqs++;
        }
      }
      double got = (double) answerSeqs / c.batch();
      // a pretrain sequence with nothing of its prompt masked (p ≈ 0) and a masked slot weighted ≥ 1 would count
      // as an answer one: weight 1/(p·98) ≥ 1 needs p ≤ 1/98, and then 96 prompt positions stay clean about 37% of
      // the time, so about 0.4% of pretrain sequences; the band allows for it
      assertEquals(share, got, 0.07, "answer share " + share);
    }
  }
}
