package io.maskkv.bench.longbench;

import io.maskkv.bench.tasks.TaskRegistry;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which metric scores which task: LongBench's {@code dataset2metric} (THUDM/LongBench {@code eval.py}) for
 * its datasets, {@link Metric#EXACT_MATCH} for our procedural tasks ({@link Metric#WHOLE_MATCH} for
 * vartrack-path). A task name may be given as a file name or path ({@code data/hotpotqa.jsonl}, LongBench-E's
 * {@code hotpotqa_e.jsonl}) or, for our tasks, as a record id ({@code needle-7-0}); anything else is an error so
 * that an unknown file is never scored with a guessed metric.
 */
public final class MetricChooser {
  private static final Map<String, Metric> LONGBENCH = Map.ofEntries(
      Map.entry("narrativeqa", Metric.QA_F1),
      Map.entry("qasper", Metric.QA_F1),
      Map.entry("multifieldqa_en", Metric.QA_F1),
      Map.entry("hotpotqa", Metric.QA_F1),
      Map.entry("2wikimqa", Metric.QA_F1),
      Map.entry("musique", Metric.QA_F1),
      Map.entry("triviaqa", Metric.QA_F1),
      Map.entry("gov_report", Metric.ROUGE_L),
      Map.entry("qmsum", Metric.ROUGE_L),
      Map.entry("multi_news", Metric.ROUGE_L),
      Map.entry("samsum", Metric.ROUGE_L),
      // the zh datasets: LongBench segments with jieba, we by character (see ChineseTokens)
      Map.entry("multifieldqa_zh", Metric.QA_F1_ZH),
      Map.entry("dureader", Metric.ROUGE_ZH),
      Map.entry("vcsum", Metric.ROUGE_ZH),
      Map.entry("trec", Metric.CLASSIFICATION),
      Map.entry("lsht", Metric.CLASSIFICATION),
      Map.entry("passage_retrieval_en", Metric.RETRIEVAL),
      Map.entry("passage_retrieval_zh", Metric.RETRIEVAL),
      Map.entry("passage_count", Metric.COUNT),
      Map.entry("lcc", Metric.EDIT_SIM),
      Map.entry("repobench-p", Metric.EDIT_SIM));

  // eval.py's scorer keeps only the first line of these predictions: their prompts are few-shot, and the
  // model would otherwise go on to write the next example.
  private static final Set<String> FIRST_LINE_ONLY = Set.of("trec", "triviaqa", "samsum", "lsht");

  // answers of several words whose end is part of the answer: a prefix match would count a run-on path as right
  private static final Set<String> WHOLE_ANSWER_TASKS = Set.of("vartrack-path");

  private MetricChooser() {}

  public static Metric forTask(String taskName) {
    String name = canonical(taskName);
    Metric m = LONGBENCH.get(name);
    if (m != null) {
      return m;
    }
    String own = ownTask(name);
    if (own != null) {
      return WHOLE_ANSWER_TASKS.contains(own) ? Metric.WHOLE_MATCH : Metric.EXACT_MATCH;
    }
    throw new IllegalArgumentException("no metric known for task '" + taskName + "' (LongBench datasets: "
        + String.join(", ", new TreeSet<>(LONGBENCH.keySet())) + "; our tasks: "
        + String.join(", ", TaskRegistry.names()) + "); choose one with --metric");
  }

  /** Whether LongBench cuts predictions for this task to their first line before scoring. */
  public static boolean firstLineOnly(String taskName) {
    return FIRST_LINE_ONLY.contains(canonical(taskName));
  }

  /** The dataset name inside a path or file name: no folders, no .jsonl/.json, no LongBench-E "_e". */
  static String canonical(String taskName) {
    String n = taskName.strip().replace('\\', '/');
    n = n.substring(n.lastIndexOf('/') + 1).toLowerCase(Locale.ROOT);
    if (n.endsWith(".jsonl")) {
      n = n.substring(0, n.length() - ".jsonl".length());
    } else if (n.endsWith(".json")) {
      n = n.substring(0, n.length() - ".json".length());
    }
    if (n.endsWith("_e") && LONGBENCH.containsKey(n.substring(0, n.length() - 2))) {
      n = n.substring(0, n.length() - 2);
    }
    return n;
  }

  /**
   * Our task whose name the given name is or starts with ("needle", "needle-1024", "needle_7_0"); the longest
   * such name, so that "vartrack-path-1024" is vartrack-path, not vartrack.
   */
  private static String ownTask(String name) {
    String best = null;
    for (String task : TaskRegistry.names()) {
      boolean matches = name.equals(task);
      if (!matches && name.startsWith(task)) {
        char next = name.charAt(task.length());
        matches = next == '-' || next == '_' || next == '.' || Character.isDigit(next);
      }
      if (matches && (best == null || task.length() > best.length())) {
        best = task;
      }
    }
    return best;
  }
}
