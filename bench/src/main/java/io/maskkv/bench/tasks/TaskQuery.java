package io.maskkv.bench.tasks;

import java.util.Objects;

/** One question about a task context and its answer: one word, or several in order (vartrack-path's chain, commas between). */
public record TaskQuery(String input, String answer) {
  public TaskQuery {
    Objects.requireNonNull(input, "input");
    Objects.requireNonNull(answer, "answer");
  }
}
