package io.maskkv.common.decode;

/** Receives each denoising step as it happens (streaming output, progress, benchmarks). */
@FunctionalInterface
public interface StepListener {
  void onStep(StepEvent event);

  StepListener NONE = e -> {};
}
