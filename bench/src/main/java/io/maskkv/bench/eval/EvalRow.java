package io.maskkv.bench.eval;

/**
 * One cell of the result table: a method at a budget on a task, averaged over its records.
 *
 * @param budget average prompt KV pairs kept per KV head per layer; 0 for {@code full} (it keeps everything)
 * @param accuracy mean score in [0, 1]
 * @param retention accuracy / the task's full-cache accuracy; NaN when the full-cache accuracy is 0 (undefined)
 * @param n records scored
 * @param msPerStep mean ms per denoising step after the first
 * @param prefillMs mean ms of the first step (prompt forward and eviction)
 * @param kvBytes mean peak KV-cache bytes
 * @param metric the metric's {@code --metric} name
 */
public record EvalRow(String task, String method, int budget, double accuracy, double retention, int n,
    double msPerStep, double prefillMs, long kvBytes, String metric) {

  public boolean isFull() {
    return method.equals(EvalPlan.FULL);
  }

  /** Retention of an accuracy against the full-cache accuracy; NaN when that is 0. */
  public static double retention(double accuracy, double fullAccuracy) {
    return fullAccuracy > 0 ? accuracy / fullAccuracy : Double.NaN;
  }
}
