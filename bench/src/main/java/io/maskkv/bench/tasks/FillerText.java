package io.maskkv.bench.tasks;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * Distractor text: short grammatical sentences from a handful of templates over the filler word classes.
 * Sentences rather than random words because real filler has structure ("the river is quiet ." shares
 * "the ... is" with "the passkey is v12 ."), so attention has to find the fact by its marker word, not by
 * being the only non-random span.
 */
public final class FillerText {
  /** Slot letters: D determiner, A adjective, N noun, V intransitive verb, T transitive verb, P preposition, R adverb. */
  private static final List<String> TEMPLATES = List.of(
      "R .",
      "N V .",
      "D N V .",
      "D A N V .", "D N V R .", "D N is A .",
      "D N T D N .", "D A N V R .",
      "D A N T D N .", "D N V P D N .", "D N is A and A .",
      "D N T D A N R .", "D A N V P D N .",
      "D A N V P D A N .", "D N V , and D N V .",
      "D A N T D N P D N .", "D N V R , and D N V .",
      "D A N T D A N P D N .", "D N V , but D A N V R .");

  /** Templates by their length in tokens. */
  private static final Map<Integer, List<String[]>> BY_LENGTH = byLength();
  private static final int SHORTEST_FREE_CHOICE = 4;
  private static final int LONGEST = ((TreeMap<Integer, List<String[]>>) BY_LENGTH).lastKey();

  private FillerText() {}

  /**
   * Filler text of exactly {@code tokens} tokens, the sentences joined by one space: what a pretraining-style
   * trainer mixes in as plain language next to the task sequences.
   */
  public static String text(SplittableRandom rnd, int tokens) {
    return String.join(" ", sentences(rnd, tokens));
  }

  /**
   * Sentences totalling exactly {@code tokens} tokens. The 2- and 3-token sentences only close a block,
   * keeping most sentences 4–11 tokens long; a budget of exactly 1 gets a lone adverb, the only way to
   * keep prompt lengths exact.
   */
  static List<String> sentences(SplittableRandom rnd, int tokens) {
    List<String> out = new ArrayList<>();
    if (tokens == 1) {
      out.add(pick(rnd, TaskVocabulary.ADVERBS));
      return out;
    }
    int remaining = tokens;
    while (remaining >= 2) {
      int length;
      if (remaining < SHORTEST_FREE_CHOICE) {
        length = remaining;
      } else {
        List<Integer> allowed = new ArrayList<>();
        for (int l = SHORTEST_FREE_CHOICE; l <= Math.min(LONGEST, remaining); l++) {
          if (remaining - l != 1) { // never leave a single token that no sentence can fill
            allowed.add(l);
          }
        }
        length = allowed.get(rnd.nextInt(allowed.size()));
      }
      List<String[]> choices = BY_LENGTH.get(length);
      out.add(fill(rnd, choices.get(rnd.nextInt(choices.size()))));
      remaining -= length;
    }
    return out;
  }

  private static String fill(SplittableRandom rnd, String[] template) {
    StringBuilder s = new StringBuilder();
    for (String slot : template) {
      if (s.length() > 0) {
        s.append(' ');
      }
      s.append(switch (slot) {
        case "D" -> pick(rnd, TaskVocabulary.DETERMINERS);
        case "A" -> pick(rnd, TaskVocabulary.ADJECTIVES);
        case "N" -> pick(rnd, TaskVocabulary.NOUNS);
        case "V" -> pick(rnd, TaskVocabulary.INTRANSITIVE_VERBS);
        case "T" -> pick(rnd, TaskVocabulary.TRANSITIVE_VERBS);
        case "P" -> pick(rnd, TaskVocabulary.PREPOSITIONS);
        case "R" -> pick(rnd, TaskVocabulary.ADVERBS);
        default -> slot;
      });
    }
    return s.toString();
  }

  private static String pick(SplittableRandom rnd, List<String> words) {
    return words.get(rnd.nextInt(words.size()));
  }

  private static Map<Integer, List<String[]>> byLength() {
    TreeMap<Integer, List<String[]>> m = new TreeMap<>();
    for (String t : TEMPLATES) {
      String[] slots = t.split(" ");
      m.computeIfAbsent(slots.length, k -> new ArrayList<>()).add(slots);
    }
    for (int l = 2; l <= m.lastKey(); l++) {
      if (!m.containsKey(l)) {
        throw new IllegalStateException("no filler template of " + l + " tokens; budgets could not be met");
      }
    }
    return m;
  }
}
