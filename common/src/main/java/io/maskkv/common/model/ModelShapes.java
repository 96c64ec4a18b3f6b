package io.maskkv.common.model;

/**
 * Configurations for our own small models. Special tokens take the last ids of the vocabulary (mask last,
 * then EOT, EOS, BOS), the order {@link io.maskkv.common.text.SpecialTokens#inIdOrder} writes them in.
 */
public final class ModelShapes {
  /** Long enough for the 32k-token benchmark prompts plus a response. */
  public static final int MAX_POSITIONS = 65536;

  private ModelShapes() {}

  public static ModelConfig small(ModelFamily family, int layers, int dModel, int heads, int kvHeads, int vocab) {
    return small(family, layers, dModel, heads, kvHeads, vocab, 3 * dModel);
  }

  public static ModelConfig small(ModelFamily family, int layers, int dModel, int heads, int kvHeads, int vocab,
      int ffn) {
    double theta = family == ModelFamily.LLADA ? 500000.0 : 1000000.0;
    double eps = family == ModelFamily.LLADA ? 1e-5 : 1e-6;
    return new ModelConfig(family, dModel, layers, heads, kvHeads, ffn, vocab, theta, eps,
        vocab - 1, vocab - 3, vocab - 2, vocab - 4, MAX_POSITIONS);
  }
}
