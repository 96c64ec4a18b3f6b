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
   * One generation.
   *
   * @param answer the decoded answer (response tokens before the first stop token)
   * @param msPerStep mean milliseconds per denoising step after the first (the first is the prefill)
   * @param prefillMs milliseconds of the first step, which builds (and compresses) the prompt cache
   * @param kvBytes peak bytes held by the KV cache during the generation
   */
  record Output(String answer, double msPerStep, double prefillMs, long kvBytes) {}
}
