package io.maskkv.bench.eval;

import io.maskkv.common.decode.GenerationOptions;

/**
 * What the harness needs from a model: tokenize a prompt once, then generate an answer for it under given
 * decoding options. {@link EngineModel} is the real one; tests plug in fakes.
 */
public interface EvalModel {
  int[] encode(String prompt);

  /** Text of ids, special tokens skipped (LongBench's middle truncation decodes both halves). */
  String decode(int[] ids);

  /** The prompt as one user turn in the model's chat template. */
  String chat(String prompt);

  /** Positions the model takes (prompt plus answer). */
  int maxPositions();

  Output generate(int[] prompt, GenerationOptions options);

  /**
   * K/V bytes of one prompt position across all layers and KV heads (uncompressed): the step of the equal-bytes
   * search and the unit of a share cap. 0 when unknown (fakes): the search then starts from budget 1.
   */
  default long kvBytesPerToken() {
    return 0;
  }

  /**
   * One generation.
   *
   * @param answer the decoded answer (response tokens before the first stop token)
   * @param msPerStep mean milliseconds per denoising step after the first (the first is the prefill)
   * @param prefillMs milliseconds of the first step, which builds (and compresses) the prompt cache
   * @param kvBytes peak bytes held by the KV cache during the generation
   * @param promptKvBytes bytes of the compressed prompt K/V (all layers) after eviction; -1 when unknown
   */
  record Output(String answer, double msPerStep, double prefillMs, long kvBytes, long promptKvBytes) {
    public Output(String answer, double msPerStep, double prefillMs, long kvBytes) {
      this(answer, msPerStep, prefillMs, kvBytes, -1);
    }
  }
}
