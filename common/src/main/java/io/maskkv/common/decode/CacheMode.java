package io.maskkv.common.decode;

import java.util.Locale;

/**
 * What is cached between denoising steps. {@code none}, {@code prefix} and {@code dual} are the Fast-dLLM
 * modes; {@code compressed} freezes the prompt KV at the first step and keeps it per the eviction method
 * ({@code full} keeps all of it).
 */
public enum CacheMode {
  NONE, PREFIX, DUAL, COMPRESSED;

  public static CacheMode parse(String s) {
    return switch (s.trim().toLowerCase(Locale.ROOT)) {
      case "none" -> NONE;
      case "prefix" -> PREFIX;
      case "dual" -> DUAL;
      default -> COMPRESSED;
    };
  }
}
