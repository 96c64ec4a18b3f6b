package io.maskkv.bench.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.maskkv.bench.tasks.TaskRegistry;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class BatchTest {
  private final Vocabulary vocab = new Vocabulary();

  /** Every supervised inline position is the answer of the question right before it, read off the context. */
  @Test
  void inlineAnswersAreTheAskedKeysValuesAndThePromptKeepsItsLength() {
    TrainConfig c = new TrainConfig(1, 32, 2, 64, "multikey", 160, 2, 32, 1e-3, 1, 3, List.of(), 4, false);
    Batch b = Batch.sample(c, List.of(TaskRegistry.get("multikey")), vocab, new SplittableRandom(5), false);
    String[] words = new String[vocab.size];
    vocab.ids.forEach((w, id) -> words[id] = w);
    int inline = 0;
    for (int s = 0; s < b.batch(); s++) {
      int off = s * b.length();
      Map<String, String> facts = new HashMap<>();
      for (int p = off; p + 3 < off + c.length(); p++) {
        if (words[b.tokens()[p]].equals("key") && words[b.tokens()[p + 2]].equals("is")) {
          facts.put(words[b.tokens()[p + 1]], words[b.tokens()[p + 3]]);
        }
      }
      assertTrue(b.tokens()[off] != vocab.eos(), "the context shrank for the inline questions: no left padding");
      for (int p = off + 2; p < off + c.length(); p++) {
        if (b.weights()[p] != 0) {
          inline++;
          assertEquals("?", words[b.tokens()[p - 1]], "a supervised prompt position follows a question");
          String key = words[b.tokens()[p - 2]];
          assertEquals(facts.get(key), words[b.targets()[p]], "value of " + key);
          assertEquals(vocab.mask(), b.tokens()[p]);
        }
      }
      assertTrue(b.weights()[off + c.length()] > 0 || b.weights()[off + c.length() + 1] > 0, "an answer slot is masked");
    }
    assertTrue(inline > 10, "inline answers were masked: " + inline);
  }

  /** A several-word answer fills the slots in order, EOS after; inline ones are masked word by word. */
  @Test
  void pathAnswersFillTheAnswerSlotsInOrderAndInlineOnesAreSupervisedWhole() {
    TrainConfig c = new TrainConfig(1, 32, 2, 64, "vartrack-path", 128, 8, 16, 1e-3, 1, 3, List.of(), 3, false);
    Batch b = Batch.sample(c, List.of(TaskRegistry.get("vartrack-path")), vocab, new SplittableRandom(8), true);
    String[] words = new String[vocab.size];
    vocab.ids.forEach((w, id) -> words[id] = w);
    int longInline = 0;
    for (int s = 0; s < b.batch(); s++) {
      int off = s * b.length();
      Map<String, String> assigned = new HashMap<>();
      for (int p = off; p + 3 < off + c.length(); p++) {
        if (words[b.tokens()[p]].equals("var") && words[b.tokens()[p + 2]].equals("=")) {
          assigned.put(words[b.tokens()[p + 1]], words[b.tokens()[p + 3]]);
        }
      }
      // the answer slots: the chain from the asked variable (just before "?") to its root, commas between, then EOS
      String from = words[b.tokens()[off + c.length() - 2]];
      int slot = 0;
      while (assigned.containsKey(from)) {
        from = assigned.get(from);
        if (slot > 0) {
          assertEquals(",", words[b.targets()[off + c.length() + slot++]]);
        }
        assertEquals(from, words[b.targets()[off + c.length() + slot]], "slot " + slot);
        assertEquals(vocab.mask(), b.tokens()[off + c.length() + slot]);
        slot++;
      }
      assertTrue(slot >= 3, "a chain of at least two words");
      for (; slot < c.answerSlots(); slot++) {
        assertEquals(vocab.eos(), b.targets()[off + c.length() + slot]);
      }
      for (int p = off; p < off + c.length(); p++) { // inline answers: every word after "?" up to the next "from what"
        if (b.weights()[p] != 0 && words[b.tokens()[p - 1]].equals("?")) {
          int n = 0;
          while (b.weights()[p + n] != 0) {
            n++;
          }
          longInline += n >= 2 ? 1 : 0;
          assertEquals("from", words[b.tokens()[p + n]], "the whole inline answer is supervised");
        }
      }
    }
    assertTrue(longInline > 3, "inline answers of several words: " + longInline);
  }

  @Test
  void anAnswerLongerThanTheSlotsIsRefused() {
    TrainConfig c = new TrainConfig(1, 32, 2, 64, "vartrack-path", 128, 2, 16, 1e-3, 1, 3, List.of(), 1, false);
    IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> Batch.sample(c, List.of(TaskRegistry.get("vartrack-path")), vocab, new SplittableRandom(1), false));
    assertTrue(e.getMessage().contains("--answer-slots"), e.getMessage());
  }

  @Test
  void oneQueryRunsDrawExactlyTheBatchesTheyAlwaysDid() {
    TrainConfig one = new TrainConfig(1, 32, 2, 64, "needle", 64, 2, 4, 1e-3, 1, 3, List.of(), 1, false);
    TrainConfig zero = new TrainConfig(1, 32, 2, 64, "needle", 64, 2, 4, 1e-3, 1, 3, List.of(), 0, false);
    Batch a = Batch.sample(one, List.of(TaskRegistry.get("needle")), vocab, 7);
    Batch z = Batch.sample(zero, List.of(TaskRegistry.get("needle")), vocab, 7);
    assertEquals(java.util.Arrays.toString(a.tokens()), java.util.Arrays.toString(z.tokens()));
  }

  /** Suffix masking hides the answer from one slot within it (or the EOS right after) to the end, weighted 1/t'. */
  @Test
  void suffixMaskingHidesAContiguousTailOfTheAnswer() {
    TrainConfig c = new TrainConfig(1, 32, 2, 64, "vartrack-path", 128, 8, 64, 1e-3, 1, 3, List.of(), 1, false,
        TrainConfig.Objective.ANSWER, 0, 0, 0, 0, 1e-4, false, 1.0);
    Batch b = Batch.sample(c, List.of(TaskRegistry.get("vartrack-path")), vocab, 11);
    java.util.Set<String> starts = new java.util.HashSet<>();
    for (int s = 0; s < b.batch(); s++) {
      int first = s * b.length() + c.length();
      int answerLength = 0;
      while (b.targets()[first + answerLength] != vocab.eos()) {
        answerLength++;
      }
      int from = 0;
      while (b.weights()[first + from] == 0) {
        from++;
      }
      assertTrue(from <= answerLength, "the masked tail starts inside the answer or at its EOS: " + from);
      for (int k = 0; k < c.answerSlots(); k++) {
        boolean masked = k >= from;
        assertEquals(masked, b.tokens()[first + k] == vocab.mask(), "slot " + k + " of sequence " + s);
        assertEquals(masked ? (float) c.answerSlots() / (c.answerSlots() - from) : 0f, b.weights()[first + k]);
      }
      starts.add(from == 0 ? "first" : from == answerLength ? "eos" : "middle");
    }
    assertEquals(java.util.Set.of("first", "middle", "eos"), starts, "tails start everywhere in the answer");
  }

  @Test
  void aSuffixMaskOutsideZeroToOneOrWithoutAnswerSlotsIsRefused() {
    assertRefused(TrainConfig.Objective.ANSWER, 1.5, "suffix mask 1.5");
    assertRefused(TrainConfig.Objective.PRETRAIN, 0.5, "--suffix-mask needs the answer or mixed objective");
  }

  private static void assertRefused(TrainConfig.Objective objective, double suffixMask, String message) {
    IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> new TrainConfig(1, 32, 2, 64, "needle", 64, 2, 4, 1e-3, 1, 3, List.of(), 1, false, objective, 0, 0, 0,
            0, 1e-4, false, suffixMask));
    assertTrue(e.getMessage().contains(message), e.getMessage());
  }
}
