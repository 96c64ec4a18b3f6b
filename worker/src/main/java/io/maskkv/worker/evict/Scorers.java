package io.maskkv.worker.evict;

import io.maskkv.common.budget.ScorerKind;

/** The scoring class of each {@link ScorerKind}; the switch is exhaustive, so every kind has one. */
public final class Scorers {
  private Scorers() {}

  public static Scorer of(ScorerKind kind, long seed) {
    return switch (kind) {
      case MASK_VOTING -> new MaskVotingScorer();
      case SNAPKV -> new SnapKvScorer();
      case SNAPKV_SHRINK -> new SnapKvScorer(true);
      case STREAMING -> new StreamingScorer();
      case RANDOM -> new RandomScorer(seed);
    };
  }
}
