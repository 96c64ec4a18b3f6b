package io.maskkv.common.model;

/** The two checkpoint families we load. Their config field names and tensor names differ; the math is shared. */
public enum ModelFamily {
  /** LLaDA-8B and smaller models in its format: MHA, no biases, no logit shift. */
  LLADA,
  /** Dream-v0 (Qwen2 layout): GQA, QKV bias, logits shifted by one position in the sampler. */
  DREAM;

  public static ModelFamily parse(String s) {
    return switch (s.toLowerCase(java.util.Locale.ROOT)) {
      case "llada" -> LLADA;
      case "dream", "qwen2" -> DREAM;
      default -> throw new IllegalArgumentException("unknown model family '" + s + "' (expected llada or dream)");
    };
  }
}
