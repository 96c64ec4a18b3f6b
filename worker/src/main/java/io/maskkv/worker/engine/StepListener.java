package io.maskkv.worker.engine;

/** Receives each denoising step as it happens (streaming output, progress, benchmarks). */
@FunctionalInterface
public interface StepListener {
  void onStep(StepEvent event);

  StepListener NONE = e -> {};
}
