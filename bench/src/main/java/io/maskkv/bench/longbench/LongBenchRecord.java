package io.maskkv.bench.longbench;

import java.util.List;
import java.util.Objects;

/**
 * One line of a LongBench-format JSONL file (THUDM/LongBench, {@code data/*.jsonl}): the long {@code context},
 * the question {@code input}, the accepted {@code answers}, the context {@code length} and the {@code _id}.
 * {@code allClasses} is LongBench's {@code all_classes}: the label set of classification tasks (trec, lsht),
 * null everywhere else. {@code dataset} is the record's own {@code dataset} field (the official files carry it:
 * {@code "hotpotqa"}, LongBench-E's {@code "hotpotqa_e"}), null when the file has none; it chooses the record's
 * prompt template, new-token budget and metric.
 */
public record LongBenchRecord(String id, String context, String input, List<String> answers, int length,
    List<String> allClasses, String dataset) {

  public LongBenchRecord {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(context, "context");
    Objects.requireNonNull(input, "input");
    answers = List.copyOf(Objects.requireNonNull(answers, "answers"));
    allClasses = allClasses == null ? null : List.copyOf(allClasses);
    if (length < 0) {
      throw new IllegalArgumentException("record " + id + ": length " + length + " is negative");
    }
  }

  /** A record without a dataset field. */
  public LongBenchRecord(String id, String context, String input, List<String> answers, int length,
      List<String> allClasses) {
    this(id, context, input, answers, length, allClasses, null);
  }

  /** A record without a label set, as every non-classification LongBench task has. */
  public LongBenchRecord(String id, String context, String input, List<String> answers, int length) {
    this(id, context, input, answers, length, null);
  }

  public LongBenchRecord withId(String newId) {
    return new LongBenchRecord(newId, context, input, answers, length, allClasses, dataset);
  }
}
