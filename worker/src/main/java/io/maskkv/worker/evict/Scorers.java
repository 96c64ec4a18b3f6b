package io.maskkv.worker.evict;

import io.maskkv.common.budget.EvictionMethods;

/** Maps the scorer names of {@link EvictionMethods} to their implementations. */
public final class Scorers {
  private Scorers() {}

  public static Scorer of(String name, long seed) {
    return switch (name) {
      case "mask-voting" -> new MaskVotingScorer();
      case "snapkv" -> new SnapKvScorer();
      case "streaming" -> new StreamingScorer();
      case "random" -> new RandomScorer(seed);
      default -> throw new IllegalArgumentException("no scorer named '" + name + "' (known: "
          + EvictionMethods.SCORERS + ")");
    };
  }
}
