package io.maskkv.common.decode;

import java.util.Locale;

/** Response-side refresh on top of a prompt cache (the proto's {@code CachePolicy.refresh}). */
public enum Refresh {
  /** Response rows recomputed every step against the frozen prompt cache. */
  NONE,
  /** Fast-dLLM dual cache over the response: refreshed at each block start. */
  DUAL,
  /** Elastic-Cache: refresh from the layer where the tracked attention drifted (also over --cache none). */
  ELASTIC;

  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Refresh parse(String s) {
    return switch (s.trim().toLowerCase(Locale.ROOT)) {
      case "", "none" -> NONE;
      case "dual" -> DUAL;
      case "elastic" -> ELASTIC;
      default -> throw new IllegalArgumentException("unknown refresh policy '" + s
          + "' (expected none, dual or elastic)");
    };
  }
}
