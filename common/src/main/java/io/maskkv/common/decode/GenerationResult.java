package io.maskkv.common.decode;

/**
 * @param response every response position's token (masks never remain; positions after an early stop hold EOS)
 * @param answer the response up to (not including) the first stop token
 * @param steps denoising steps (forward passes) taken
 * @param promptKvBytesFull bytes the prompt's K/V would take uncompressed in all layers (fp32)
 * @param kvBytesPeak the most bytes the cache held after any step
 * @param kvBytesFinal bytes held after the last step (before the session is freed)
 * @param layerStepsRecomputed layer-steps that recomputed every row of their range (cache updates)
 * @param layerSteps all layer-steps run; recomputed / all is the cache update frequency
 */
public record GenerationResult(
    int[] response,
    int[] answer,
    FinishReason finishReason,
    int steps,
    long promptKvBytesFull,
    long kvBytesPeak,
    long kvBytesFinal,
    long firstStepNanos,
    long totalNanos,
    long layerStepsRecomputed,
    long layerSteps) {

  /** Share of layer-steps that recomputed every row (1 = no reuse). */
  public double cacheUpdateFrequency() {
    return layerSteps == 0 ? 1.0 : (double) layerStepsRecomputed / layerSteps;
  }

  /** Mean time per denoising step after the first (the first one is the prefill). */
  public double msPerCachedStep() {
    return steps <= 1 ? firstStepNanos / 1e6 : (totalNanos - firstStepNanos) / 1e6 / (steps - 1);
  }
}
