package io.maskkv.bench.tasks;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Multi-key retrieval (MQAR-like, with filler): pairs "key k12 is v40 ." with distinct keys and values are
 * scattered through the context; "what is the value of key k12 ?". Every other pair is a same-shaped
 * distractor, so the model must bind the asked key to the value right after it. About one pair per 32
 * tokens (2 to 48), and at least four pairs per question, so a trainer asking several questions leaves most
 * pairs unasked (were every key asked, the other questions' answers would give each one away by elimination).
 */
final class MultiKeyTask implements TaskGenerator {
  private static final int FACT_TOKENS = 5;
  private static final int QUESTION_TOKENS = TaskVocabulary.countTokens(question("k0"));

  static String question(String key) {
    return "what is the value of key " + key + " ?";
  }

  @Override
  public String name() {
    return "multikey";
  }

  @Override
  public String description() {
    return "key-value pairs ('key kA is vB .') in filler; answer the value of one key";
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
    int fit = Math.min(TaskVocabulary.KEYS.size(), contextTokens / FACT_TOKENS);
    int wanted = Math.max(Sampling.clamp(targetLengthTokens / 32, 2, 48), 4 * queries);
    int pairs = Math.min(fit, wanted);
    List<String> keys = Sampling.distinctWords(rnd, TaskVocabulary.KEYS, pairs);
    List<String> values = Sampling.distinctWords(rnd, TaskVocabulary.VALUES, pairs);
    List<String> facts = new ArrayList<>(pairs);
    for (int i = 0; i < pairs; i++) {
      facts.add("key " + keys.get(i) + " is " + values.get(i) + " .");
    }
    String context = ContextAssembler.assemble(rnd, facts, contextTokens);
    List<TaskQuery> asked = new ArrayList<>();
    for (int i : Sampling.distinct(rnd, pairs, Math.min(queries, pairs))) {
      asked.add(new TaskQuery(question(keys.get(i)), values.get(i)));
    }
    return new TaskInstance(context, asked);
  }
}
