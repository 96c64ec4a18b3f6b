package io.maskkv.bench.eval;

import io.maskkv.bench.longbench.LongBenchReader;
import io.maskkv.bench.longbench.LongBenchRecord;
import io.maskkv.bench.longbench.LongBenchScorer;
import io.maskkv.bench.longbench.Metric;
import io.maskkv.bench.longbench.MetricChooser;
import io.maskkv.bench.tasks.TaskRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One task file to evaluate: its name (the CSV's {@code task} column), its records and how they are scored.
 *
 * <p>The task name is {@code --task} when given, else the file name without {@code .jsonl}/{@code .json}
 * ({@code data/hotpotqa.jsonl} is {@code hotpotqa}). The metric is {@code --metric} when given, else
 * {@link MetricChooser}'s choice for the task name: LongBench's per-dataset metric for LongBench files,
 * exact match for our procedural tasks. A file whose name names no known task but whose records carry our
 * ids ({@code needle-5-0}, as {@code ./maskkv make-tasks} writes them) is taken as that task.
 *
 * <p>A record's own {@code dataset} field (the official LongBench files carry one) decides its dataset over the
 * file name: its metric (unless {@code --metric} forces one) and, in {@link RecordPrompts}, its prompt and length;
 * the harness reports each dataset of a file as its own task, as LongBench's {@code result.json} does.
 */
public record EvalTask(String name, Path file, List<LongBenchRecord> records, LongBenchScorer scorer,
    boolean metricForced) {
  public EvalTask {
    records = List.copyOf(records);
    if (records.isEmpty()) {
      throw new IllegalArgumentException(file + ": no records to evaluate");
    }
  }

  /**
   * Reads a LongBench-format JSONL file.
   *
   * @param task {@code --task}, or null to take it from the file name
   * @param metric {@code --metric}, or null to choose it by task name
   * @param limit at most this many records, from the start of the file; 0 or less = all
   */
  public static EvalTask load(Path file, String task, String metric, int limit) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException(file + ": no such file");
    }
    List<LongBenchRecord> all = LongBenchReader.read(file);
    List<LongBenchRecord> records = limit > 0 && all.size() > limit ? all.subList(0, limit) : all;
    if (records.isEmpty()) {
      throw new IllegalArgumentException(file + ": no records");
    }
    String name = task != null ? task.strip() : stem(file);
    for (LongBenchRecord r : records) {
      if (metric == null && r.dataset() != null && !hasMetric(r.dataset())) {
        throw new IllegalArgumentException(file + ": record " + r.id() + ": no metric known for dataset '"
            + r.dataset() + "'; choose one with --metric");
      }
    }
    boolean datasetsGiven = records.stream().allMatch(r -> r.dataset() != null);
    if (metric == null && datasetsGiven && !hasMetric(name)) {
      // every record names its dataset: the file's own name needs no metric
      return new EvalTask(name, file, records, LongBenchScorer.forTask(records.get(0).dataset()), false);
    }
    if (task == null && metric == null && !hasMetric(name)) {
      String fromId = ownTaskOfId(records.get(0).id());
      if (fromId != null) {
        name = fromId;
      }
    }
    LongBenchScorer scorer;
    if (metric != null) {
      scorer = LongBenchScorer.of(Metric.parse(metric), name);
    } else {
      try {
        scorer = LongBenchScorer.forTask(name);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(file + ": " + e.getMessage() + " or name the task with --task", e);
      }
    }
    return new EvalTask(name, file, records, scorer, metric != null);
  }

  /** The score of one prediction for one record, in [0, 1]: the harness's only scoring path. */
  public double score(String prediction, LongBenchRecord record) {
    return scorerFor(record).score(prediction, record);
  }

  /** The dataset a record belongs to: its own {@code dataset} field, else this task's name. */
  public String datasetOf(LongBenchRecord r) {
    return r.dataset() != null ? r.dataset() : name;
  }

  /** The forced metric, else the record's dataset's, else this task's. */
  public LongBenchScorer scorerFor(LongBenchRecord r) {
    return metricForced || r.dataset() == null ? scorer : LongBenchScorer.forTask(r.dataset());
  }

  public Metric metric() {
    return scorer.metric();
  }

  static String stem(Path file) {
    String n = String.valueOf(file.getFileName());
    if (n.endsWith(".jsonl")) {
      return n.substring(0, n.length() - ".jsonl".length());
    }
    if (n.endsWith(".json")) {
      return n.substring(0, n.length() - ".json".length());
    }
    return n;
  }

  private static boolean hasMetric(String name) {
    try {
      MetricChooser.forTask(name);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /** make-tasks writes TASK-SEED-INDEX, and task names have dashes too (vartrack-path). */
  private static final Pattern OWN_ID = Pattern.compile("(.+)-\\d+-\\d+");

  /** "needle" for "needle-5-0" (the ids TaskFiles writes), else null. */
  private static String ownTaskOfId(String id) {
    Matcher m = OWN_ID.matcher(id);
    return m.matches() && TaskRegistry.names().contains(m.group(1)) ? m.group(1) : null;
  }
}
