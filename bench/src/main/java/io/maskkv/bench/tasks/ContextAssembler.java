package io.maskkv.bench.tasks;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Lays facts into filler: fills the context's token budget with sentences, then puts the facts, in the
 * order given, at sentence boundaries drawn uniformly, so a fact is equally likely near the start, middle
 * or end and an eviction policy cannot rely on position.
 */
final class ContextAssembler {
  private ContextAssembler() {}

  /**
   * A context of exactly {@code contextTokens} tokens holding the facts in the order given; each fact is
   * space-separated tokens.
   */
  static String assemble(SplittableRandom rnd, List<String> facts, int contextTokens) {
    int factTokens = 0;
    for (String f : facts) {
      factTokens += TaskVocabulary.countTokens(f);
    }
    if (factTokens > contextTokens) {
      throw new IllegalArgumentException(
          "facts need " + factTokens + " tokens but the context has only " + contextTokens);
    }
    List<String> filler = FillerText.sentences(rnd, contextTokens - factTokens);
    // Slot s is the boundary before filler sentence s (or the end). Distinct slots keep facts apart, so no
    // two facts fuse into one easy-to-spot block; short contexts with more facts than slots share them.
    int boundaries = filler.size() + 1;
    int[] slots;
    if (facts.size() <= boundaries) {
      slots = Sampling.distinct(rnd, boundaries, facts.size());
    } else {
      slots = new int[facts.size()];
      for (int i = 0; i < slots.length; i++) {
        slots[i] = rnd.nextInt(boundaries);
      }
    }
    Arrays.sort(slots);
    List<String> parts = new ArrayList<>(filler.size() + facts.size());
    int next = 0;
    for (int s = 0; s <= filler.size(); s++) {
      while (next < slots.length && slots[next] == s) {
        parts.add(facts.get(next++));
      }
      if (s < filler.size()) {
        parts.add(filler.get(s));
      }
    }
    return String.join(" ", parts);
  }
}
