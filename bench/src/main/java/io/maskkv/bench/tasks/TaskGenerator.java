package io.maskkv.bench.tasks;

import io.maskkv.bench.longbench.LongBenchRecord;
import java.util.SplittableRandom;

/**
 * A procedural long-context task. Every answer is one word of {@link TaskVocabulary}, and depends on a few
 * tokens placed anywhere in a context of filler, so a KV cache that evicts them loses the answer.
 * Generation is a pure function of the random source's state.
 */
public interface TaskGenerator {
  String name();

  /** One line for {@code make-tasks --help}. */
  String description();

  /** The smallest prompt length, in tokens, this task can be generated at with one question. */
  int minLength();

  /**
   * A context sized so that the context, a space and one question together are exactly
   * {@code targetLengthTokens} tokens, with up to {@code queries} distinct questions about it; tasks with
   * only one thing to ask (needle) return one.
   *
   * @throws IllegalArgumentException if the target is shorter than {@link #minLength()}
   */
  TaskInstance instance(SplittableRandom rnd, int targetLengthTokens, int queries);

  /** One evaluation record with id {@code <name>-<index>}. */
  default LongBenchRecord generate(SplittableRandom rnd, int targetLengthTokens, int index) {
    return instance(rnd, targetLengthTokens, 1).record(0, name() + "-" + index);
  }
}
