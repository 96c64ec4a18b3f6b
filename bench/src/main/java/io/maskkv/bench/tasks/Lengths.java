package io.maskkv.bench.tasks;

/** Shared argument checks on target lengths. */
final class Lengths {
  private Lengths() {}

  static void requireAtLeast(TaskGenerator task, int targetLengthTokens) {
    if (targetLengthTokens < task.minLength()) {
      throw new IllegalArgumentException("task " + task.name() + ": length " + targetLengthTokens
          + " is below its minimum of " + task.minLength() + " tokens");
    }
  }

  static void requirePositiveQueries(int queries) {
    if (queries < 1) {
      throw new IllegalArgumentException("queries must be at least 1, got " + queries);
    }
  }
}
