package io.maskkv.bench.tasks;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Counting (our fifth task): "there is a lemon ." appears 1–6 times at random places, as do the sentences of
 * one to four other marker words (one per 256 tokens); "how many times does lemon appear ?" is answered with
 * a digit word. The answer depends on every occurrence, so each evicted one changes it: a cache must keep
 * all of them, not just the most attended. At short lengths the largest count shrinks so the facts fit.
 */
final class CountTask implements TaskGenerator {
  private static final int FACT_TOKENS = 5;
  private static final int MAX_COUNT = 6;
  private static final int MAX_DISTRACTORS = 4;
  private static final int QUESTION_TOKENS = TaskVocabulary.countTokens(question("lemon"));

  static String question(String marker) {
    return "how many times does " + marker + " appear ?";
  }

  @Override
  public String name() {
    return "count";
  }

  @Override
  public String description() {
    return "marker sentences ('there is a lemon .') repeated in filler; answer how many times one appears";
  }

  @Override
  public int minLength() {
    return QUESTION_TOKENS + 2 * FACT_TOKENS;
  }

  @Override
  public TaskInstance instance(SplittableRandom rnd, int targetLengthTokens, int queries) {
    Lengths.requireAtLeast(this, targetLengthTokens);
    Lengths.requirePositiveQueries(queries);
    int contextTokens = targetLengthTokens - QUESTION_TOKENS;
    int budget = contextTokens / FACT_TOKENS;
    int markerCount = TaskVocabulary.MARKERS.size();
    int asked = Math.min(Math.min(queries, markerCount - 1), budget - 1);
    int distractors = Math.min(Sampling.clamp(targetLengthTokens / 256, 1, MAX_DISTRACTORS),
        Math.min(budget - asked, markerCount - asked));
    int markersUsed = asked + distractors;
    int maxCount = Math.min(MAX_COUNT, budget / markersUsed);
    List<String> markers = Sampling.distinctWords(rnd, TaskVocabulary.MARKERS, markersUsed);
    int[] counts = new int[markersUsed];
    List<String> facts = new ArrayList<>();
    for (int m = 0; m < markersUsed; m++) {
      counts[m] = rnd.nextInt(1, maxCount + 1);
      for (int i = 0; i < counts[m]; i++) {
        facts.add("there is a " + markers.get(m) + " .");
      }
    }
    Sampling.shuffle(rnd, facts);
    String context = ContextAssembler.assemble(rnd, facts, contextTokens);
    List<TaskQuery> questions = new ArrayList<>();
    for (int m = 0; m < asked; m++) {
      questions.add(new TaskQuery(question(markers.get(m)), Integer.toString(counts[m])));
    }
    return new TaskInstance(context, questions);
  }
}
