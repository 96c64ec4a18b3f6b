package io.maskkv.common.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class IncrementalDecoderTest {
  /** Streams ids one at a time and checks the byte-exact property; returns how many steps held text back. */
  private static int streamAndCheck(TextTokenizer t, int[] ids) {
    IncrementalDecoder d = new IncrementalDecoder(t);
    StringBuilder concat = new StringBuilder();
    int held = 0;
    for (int n = 1; n <= ids.length; n++) {
      String delta = d.next(Arrays.copyOf(ids, n));
      if (delta.isEmpty()) {
        held++;
      }
      concat.append(delta);
    }
    String whole = t.decode(ids);
    concat.append(d.finish(whole));
    assertEquals(whole, concat.toString(), () -> "ids " + Arrays.toString(ids));
    return held;
  }

  @Test
  void characterSplitAcrossTokensIsHeldBackUntilComplete() {
    try (TextTokenizer t = TextTokenizer.load(QwenTokenizerTest.qwen())) {
      // '🙂' is 4 UTF-8 bytes; byte-level BPE writes it with byte tokens when it is not one vocabulary entry
      int[] ids = t.encode("ok 🙂 fine");
      IncrementalDecoder d = new IncrementalDecoder(t);
      StringBuilder concat = new StringBuilder();
      for (int n = 1; n <= ids.length; n++) {
        String delta = d.next(Arrays.copyOf(ids, n));
        assertFalse(delta.contains("\uFFFD"), "released half a character at token " + n + ": " + delta);
        concat.append(delta);
      }
      assertEquals("ok 🙂 fine", concat.toString());
    }
  }

  @Test
  void hundredRandomIdSequencesConcatenateToTheDecodedWhole() {
    SplittableRandom rnd = new SplittableRandom(17);
    try (TextTokenizer t = TextTokenizer.load(QwenTokenizerTest.qwen())) {
      int heldSteps = 0;
      for (int s = 0; s < 100; s++) {
        int[] ids = new int[1 + rnd.nextInt(40)];
        for (int i = 0; i < ids.length; i++) {
          // half the ids from the byte tokens and CJK/emoji pieces (ids that often end mid-character), half anywhere
          // in the vocabulary including the specials at 151643+
          ids[i] = rnd.nextBoolean() ? rnd.nextInt(256) : rnd.nextInt(151665);
        }
        heldSteps += streamAndCheck(t, ids);
      }
      assertTrue(heldSteps > 0, "no sequence ever split a character, the test proves nothing");
    }
  }
}
