package io.maskkv.bench.tasks;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Variable tracking (after RULER's variable_tracking): chains of assignments "var x3 = v17 ." then
 * "var x9 = x3 ." then "var x40 = x9 .", each statement anywhere in the context but in chain order;
 * "what is the value of var x40 ?" asks the last variable of a chain, whose value is its chain's root. The
 * answer needs every link of the chain, so a cache must keep several scattered facts. Chains have 2–4
 * variables (one per 128 tokens, 2 to 16 chains, and at least two per question asked), shortened first when the
 * context is small.
 *
 * <p>The curriculum variants ({@link #hops}) fix every chain at {@code hops + 1} variables, so a trainer can teach
 * one hop before two: a model that has never resolved one link gets no signal from a four-variable chain.
 *
 * <p>The path variant ({@link #path}) asks "from what is var x40 ?" and is answered with the whole chain back to
 * its root, "x9 , x3 , v17", as RULER's variable_tracking is answered with every variable of a chain. Each word of
 * that answer is one lookup keyed by the word two before it (the asked variable for the first), so a model
 * decoding one word per step resolves one hop per step instead of composing every hop inside one forward pass,
 * which no model trained here learned. The key sits two tokens back as in "key k12 ? [answer]", and the value two
 * after the key as in "var x40 = x9", the layout the binding heads (multikey's) already read.
 */
final class VariableTrackingTask implements TaskGenerator {
  private static final int FACT_TOKENS = 5;
  private static final int MAX_CHAINS = 16;

  private final String name;
  private final int minChain;
  private final int maxChain;
  private final boolean pathAnswer;
  private final int questionTokens;

  private VariableTrackingTask(String name, int minChain, int maxChain, boolean pathAnswer) {
    this.name = name;
    this.minChain = minChain;
    this.maxChain = maxChain;
    this.pathAnswer = pathAnswer;
    this.questionTokens = TaskVocabulary.countTokens(question("x0"));
  }

  /** The evaluated family: chains of 2–4 variables (one to three hops). */
  static VariableTrackingTask mixed() {
    return new VariableTrackingTask("vartrack", 2, 4, false);
  }

  /** The evaluated family's chains, answered with the path back to the root: "x9 , x3 , v17". */
  static VariableTrackingTask path() {
    return new VariableTrackingTask("vartrack-path", 2, 4, true);
  }

  /** A curriculum family: every chain is {@code hops + 1} variables long. */
  static VariableTrackingTask hops(int hops) {
    return new VariableTrackingTask("vartrack-" + hops + "hop", hops + 1, hops + 1, false);
  }

  private String question(String variable) {
    return pathAnswer ? "from what is var " + variable + " ?" : "what is the value of var " + variable + " ?";
  }

  /** The asked variable's source, its source's source, ... down to the root value, comma-separated. */
  private static String pathToRoot(List<String> chain, String root) {
    List<String> words = new ArrayList<>(chain.subList(0, chain.size() - 1));
    Collections.reverse(words);
    words.add(root);
    return String.join(" , ", words);
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public String description() {
    String chains = minChain == maxChain ? "chains of " + minChain + " assignments" : "chains of assignments";
    return chains + " ('var xA = vB .', 'var xC = xA .') in filler; answer a variable's value"
        + (pathAnswer ? " as the path to it ('xA , vB')" : "");
  }

  @Override
  public int minLength() {
    return questionTokens + 2 * minChain * FACT_TOKENS;
  }

  @Override
  public TaskInstance instance(SplittableRandom rnd, int targetLengthTokens, int queries) {
    Lengths.requireAtLeast(this, targetLengthTokens);
    Lengths.requirePositiveQueries(queries);
    int contextTokens = targetLengthTokens - questionTokens;
    int budget = contextTokens / FACT_TOKENS;
    // at least two chains per question: with one, a trainer's inline answers would leave the last root by elimination
    int wanted = Math.max(Sampling.clamp(targetLengthTokens / 128, 2, MAX_CHAINS), Math.min(2 * queries, MAX_CHAINS));
    int chains = Math.min(wanted, budget / minChain);
    int[] lengths = new int[chains];
    int total = 0;
    for (int c = 0; c < chains; c++) {
      lengths[c] = minChain == maxChain ? minChain : rnd.nextInt(minChain, maxChain + 1);
      total += lengths[c];
    }
    while (total > budget) { // every chain at minChain fits, since chains <= budget / minChain
      int longest = 0;
      for (int c = 1; c < chains; c++) {
        if (lengths[c] > lengths[longest]) {
          longest = c;
        }
      }
      lengths[longest]--;
      total--;
    }

    List<String> variables = Sampling.distinctWords(rnd, TaskVocabulary.VARIABLES, total);
    List<String> roots = Sampling.distinctWords(rnd, TaskVocabulary.VALUES, chains);
    List<List<String>> chainVariables = new ArrayList<>();
    int used = 0;
    for (int c = 0; c < chains; c++) {
      chainVariables.add(variables.subList(used, used + lengths[c]));
      used += lengths[c];
    }
    // A random interleaving that keeps each chain's statements in order: shuffle the multiset of chain ids.
    List<Integer> order = new ArrayList<>(total);
    for (int c = 0; c < chains; c++) {
      for (int i = 0; i < lengths[c]; i++) {
        order.add(c);
      }
    }
    Sampling.shuffle(rnd, order);
    int[] emitted = new int[chains];
    List<String> facts = new ArrayList<>(total);
    for (int c : order) {
      int step = emitted[c]++;
      List<String> vars = chainVariables.get(c);
      String source = step == 0 ? roots.get(c) : vars.get(step - 1);
      facts.add("var " + vars.get(step) + " = " + source + " .");
    }
    String context = ContextAssembler.assemble(rnd, facts, contextTokens);
    List<TaskQuery> questions = new ArrayList<>();
    for (int c : Sampling.distinct(rnd, chains, Math.min(queries, chains))) {
      List<String> vars = chainVariables.get(c);
      String answer = pathAnswer ? pathToRoot(vars, roots.get(c)) : roots.get(c);
      questions.add(new TaskQuery(question(vars.get(vars.size() - 1)), answer));
    }
    return new TaskInstance(context, questions);
  }
}
