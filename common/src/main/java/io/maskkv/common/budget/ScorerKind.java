package io.maskkv.common.budget;

import java.util.Arrays;
import java.util.List;

/**
 * The prompt-token scorers the engine implements, by the name requests use. The engine maps each constant to its
 * scoring class in an exhaustive switch, so a scorer named here and not implemented does not compile.
 */
public enum ScorerKind {
  /** MaskKV (§3.2, eq. 5): the mask tokens' queries vote with their attention over the prompt. */
  MASK_VOTING("mask-voting", true),
  /** SnapKV: the last 32 prompt tokens vote, max-pooled with kernel 7; the window is always kept. */
  SNAPKV("snapkv", true),
  /**
   * SnapKV whose force-kept window shrinks with the budget: the last 32 prompt tokens still vote, but only the
   * last min(32, ⌊k/2⌋) are always kept (k the layer's per-head budget), so at budgets below 64 at least half the
   * budget goes to what the window votes for; identical to {@link #SNAPKV} at k ≥ 64.
   */
  SNAPKV_SHRINK("snapkv-shrink", true),
  /** StreamingLLM: 4 attention sinks and the most recent tokens. */
  STREAMING("streaming", false),
  /** Uniformly random scores, seeded: the floor any method must beat. */
  RANDOM("random", false);

  private final String wireName;
  private final boolean measuresPreference;

  ScorerKind(String wireName, boolean measuresPreference) {
    this.wireName = wireName;
    this.measuresPreference = measuresPreference;
  }

  /** Whether the scorer measures each head's prompt preference (which MaskKV's head split needs). */
  public boolean measuresPreference() {
    return measuresPreference;
  }

  public String wireName() {
    return wireName;
  }

  public static List<String> names() {
    return Arrays.stream(values()).map(ScorerKind::wireName).toList();
  }

  public static ScorerKind parse(String name) {
    for (ScorerKind k : values()) {
      if (k.wireName.equals(name)) {
        return k;
      }
    }
    throw new IllegalArgumentException("unknown scorer '" + name + "' (scorers: " + names() + ")");
  }
}
