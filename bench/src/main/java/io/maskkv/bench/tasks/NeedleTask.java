package io.maskkv.bench.tasks;

import java.util.List;
import java.util.SplittableRandom;

/**
 * Single-needle retrieval: "the passkey is v42 ." once in filler; "what is the passkey ?". The easiest task
 * (one marked token to copy), the first stage of a curriculum.
 */
final class NeedleTask implements TaskGenerator {
  static final String QUESTION = "what is the passkey ?";

  @Override
  public String name() {
    return "needle";
  }

  @Override
  public String description() {
    return "one passkey ('the passkey is vN .') hidden in filler; answer the passkey";
  }

  @Override
  public int minLength() {
    return TaskVocabulary.countTokens(QUESTION) + 5;
  }

  @Override
  public TaskInstance instance(SplittableRandom rnd, int targetLengthTokens, int queries) {
    Lengths.requireAtLeast(this, targetLengthTokens);
    Lengths.requirePositiveQueries(queries);
    String passkey = TaskVocabulary.VALUES.get(rnd.nextInt(TaskVocabulary.VALUES.size()));
    String fact = "the passkey is " + passkey + " .";
    int contextTokens = targetLengthTokens - TaskVocabulary.countTokens(QUESTION);
    String context = ContextAssembler.assemble(rnd, List.of(fact), contextTokens);
    return new TaskInstance(context, List.of(new TaskQuery(QUESTION, passkey)));
  }
}
