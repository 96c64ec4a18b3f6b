package io.maskkv.bench.longbench;

import java.util.Arrays;
import java.util.function.Function;

/**
 * LongBench's truncation of a prompt longer than the model's maximum (THUDM/LongBench {@code pred.py}): keep the
 * first and the last {@code max_length / 2} tokens and decode both halves back to text, because the question and
 * the instruction sit at the two ends and the middle of the context matters least.
 */
public final class MiddleTruncation {
  private MiddleTruncation() {}

  /**
   * @param ids the prompt's ids (no chat template yet: pred.py truncates first, then builds the chat prompt)
   * @param maxLength the model's maximum prompt tokens; 0 or less = no limit
   * @param decode the tokenizer's decode with special tokens skipped
   * @return the prompt text to use: unchanged when it fits
   */
  public static String apply(String prompt, int[] ids, int maxLength, Function<int[], String> decode) {
    if (maxLength <= 0 || ids.length <= maxLength) {
      return prompt;
    }
    int half = maxLength / 2;
    return decode.apply(Arrays.copyOfRange(ids, 0, half))
        + decode.apply(Arrays.copyOfRange(ids, ids.length - half, ids.length));
  }
}
