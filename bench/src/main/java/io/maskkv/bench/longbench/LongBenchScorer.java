package io.maskkv.bench.longbench;

/**
 * Scores predictions for one task the way LongBench's {@code eval.py scorer} does: optionally cut the
 * prediction to its first line, then take the metric's maximum over the record's answers (passing its
 * {@code all_classes} to classification).
 */
public record LongBenchScorer(Metric metric, boolean firstLineOnly) {

  /** The metric and first-line rule LongBench uses for this task (see {@link MetricChooser}). */
  public static LongBenchScorer forTask(String taskName) {
    return new LongBenchScorer(MetricChooser.forTask(taskName), MetricChooser.firstLineOnly(taskName));
  }

  /** A metric chosen by flag; the first-line rule still follows the task when it is a LongBench one. */
  public static LongBenchScorer of(Metric metric, String taskName) {
    return new LongBenchScorer(metric, taskName != null && MetricChooser.firstLineOnly(taskName));
  }

  public double score(String prediction, LongBenchRecord record) {
    String p = firstLineOnly ? PythonText.firstLine(prediction) : prediction;
    return metric.score(p, record.answers(), record.allClasses());
  }
}
