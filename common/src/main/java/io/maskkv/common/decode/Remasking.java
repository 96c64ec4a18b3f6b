package io.maskkv.common.decode;

import java.util.Locale;

/** How the confidence of a candidate token is scored, which decides which masked positions are committed. */
public enum Remasking {
  /** LLaDA: probability of the chosen token. */
  LOW_CONFIDENCE("low-confidence"),
  /** LLaDA: uniform random confidence. */
  RANDOM("random"),
  /** Dream: negative entropy of the distribution. */
  ENTROPY("entropy"),
  /** Dream: top-1 probability (of the filtered distribution). */
  MASKGIT_PLUS("maskgit-plus"),
  /** Dream: top-1 minus top-2 probability. */
  TOPK_MARGIN("topk-margin"),
  /**
   * Dream's default {@code alg="origin"}: no ranking; each masked position is committed independently with
   * probability {@code 1 - s/t} (all at the block's last step), so a step may commit nothing.
   */
  ORIGIN("origin");

  private final String cliName;

  Remasking(String cliName) {
    this.cliName = cliName;
  }

  public String cliName() {
    return cliName;
  }

  public static Remasking parse(String s) {
    String n = s.trim().toLowerCase(Locale.ROOT).replace('_', '-');
    for (Remasking r : values()) {
      if (r.cliName.equals(n)) {
        return r;
      }
    }
    throw new IllegalArgumentException("unknown remasking '" + s
        + "' (expected low-confidence, random, entropy, maskgit-plus, topk-margin or origin)");
  }
}
