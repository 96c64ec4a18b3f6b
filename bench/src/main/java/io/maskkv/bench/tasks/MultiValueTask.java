package io.maskkv.bench.tasks;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Multi-value retrieval: a key is given several values, each in its own fact "key k5 has v17 ." scattered
 * through the context among other keys' facts; "what is value number 2 of key k5 ?" asks for the value
 * in that position of the order of appearance. The answer depends on every value of the asked key and
 * their order, so keeping only the one answer token in a compressed cache is not enough. Asked keys have 2–4
 * values, distractor keys (one per 96 tokens, 1 to 16) 1–4; at short lengths distractors shrink first.
 */
final class MultiValueTask implements TaskGenerator {
  private static final int FACT_TOKENS = 5;
  private static final int MAX_VALUES = 4;
  private static final int MAX_DISTRACTOR_KEYS = 16;
  private static final int MAX_QUERIES = 16;
  private static final int QUESTION_TOKENS = TaskVocabulary.countTokens(question(1, "k0"));

  static String question(int position, String key) {
    return "what is value number " + position + " of key " + key + " ?";
  }

  @Override
  public String name() {
    return "multivalue";
  }

  @Override
  public String description() {
    return "keys with several values ('key kA has vB .') in filler; answer value number N of one key";
  }

  @Override
  public int minLength() {
    return QUESTION_TOKENS + 3 * FACT_TOKENS;
  }

  @Override
  public TaskInstance instance(SplittableRandom rnd, int targetLengthTokens, int queries) {
    Lengths.requireAtLeast(this, targetLengthTokens);
    Lengths.requirePositiveQueries(queries);
    int contextTokens = targetLengthTokens - QUESTION_TOKENS;
    int budget = contextTokens / FACT_TOKENS;
    int asked = Math.min(Math.min(queries, MAX_QUERIES), (budget - 1) / 2);
    List<Integer> askedCounts = new ArrayList<>();
    for (int i = 0; i < asked; i++) {
      askedCounts.add(rnd.nextInt(2, MAX_VALUES + 1));
    }
    List<Integer> distractorCounts = new ArrayList<>();
    for (int i = Sampling.clamp(targetLengthTokens / 96, 1, MAX_DISTRACTOR_KEYS); i > 0; i--) {
      distractorCounts.add(rnd.nextInt(1, MAX_VALUES + 1));
    }
    shrinkToFit(askedCounts, distractorCounts, budget);

    int keyCount = askedCounts.size() + distractorCounts.size();
    List<String> keys = Sampling.distinctWords(rnd, TaskVocabulary.KEYS, keyCount);
    List<Integer> counts = new ArrayList<>(askedCounts);
    counts.addAll(distractorCounts);
    List<int[]> facts = new ArrayList<>(); // {key index, value index}
    for (int k = 0; k < keyCount; k++) {
      for (int c = 0; c < counts.get(k); c++) {
        facts.add(new int[] {k, 0});
      }
    }
    List<String> values = Sampling.distinctWords(rnd, TaskVocabulary.VALUES, facts.size());
    Sampling.shuffle(rnd, facts);
    List<List<String>> valuesInOrder = new ArrayList<>();
    for (int k = 0; k < keyCount; k++) {
      valuesInOrder.add(new ArrayList<>());
    }
    List<String> factText = new ArrayList<>(facts.size());
    for (int i = 0; i < facts.size(); i++) {
      int k = facts.get(i)[0];
      valuesInOrder.get(k).add(values.get(i));
      factText.add("key " + keys.get(k) + " has " + values.get(i) + " .");
    }
    String context = ContextAssembler.assemble(rnd, factText, contextTokens);
    List<TaskQuery> questions = new ArrayList<>();
    for (int k = 0; k < askedCounts.size(); k++) {
      List<String> own = valuesInOrder.get(k);
      int position = rnd.nextInt(1, own.size() + 1);
      questions.add(new TaskQuery(question(position, keys.get(k)), own.get(position - 1)));
    }
    return new TaskInstance(context, questions);
  }

  /** Cuts facts until they fit: distractor values first, then distractor keys, then asked keys' extra values. */
  private static void shrinkToFit(List<Integer> asked, List<Integer> distractors, int budget) {
    while (sum(asked) + sum(distractors) > budget) {
      int d = argMax(distractors);
      if (distractors.get(d) > 1) {
        distractors.set(d, distractors.get(d) - 1);
      } else if (distractors.size() > 1) {
        distractors.remove(distractors.size() - 1);
      } else {
        int a = argMax(asked);
        if (asked.get(a) <= 2) {
          throw new IllegalStateException("multivalue facts cannot fit " + budget + " slots");
        }
        asked.set(a, asked.get(a) - 1);
      }
    }
  }

  private static int sum(List<Integer> xs) {
    return xs.stream().mapToInt(Integer::intValue).sum();
  }

  private static int argMax(List<Integer> xs) {
    int best = 0;
    for (int i = 1; i < xs.size(); i++) {
      if (xs.get(i) > xs.get(best)) {
        best = i;
      }
    }
    return best;
  }
}
