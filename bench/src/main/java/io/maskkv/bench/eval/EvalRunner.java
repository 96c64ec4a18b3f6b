package io.maskkv.bench.eval;

import io.maskkv.bench.longbench.LongBenchRecord;
import io.maskkv.common.decode.GenerationOptions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Runs an {@link EvalPlan} over tasks: for each record, the prompt ({@link RecordPrompts}: LongBench's template
 * for its datasets, else the context, a space and the question) is tokenized once, generated from once with the {@code full} cache and once per
 * method and budget, and each decoded answer is scored against the record's answers with the task's metric.
 * Rows come out per task: {@code full} first, then the methods in the plan's order, budgets ascending.
 */
public final class EvalRunner {
  private final EvalModel model;
  private final EvalPlan plan;
  private final EvalProgress progress;
  private Consumer<Prediction> predictions = p -> {};
  private RecordPrompts prompts = RecordPrompts.PLAIN;

  /**
   * One scored generation, for callers that keep per-record output.
   *
   * @param budget 0 for {@code full}
   */
  public record Prediction(String task, String id, String method, int budget, String answer, double score) {}

  public EvalRunner(EvalModel model, EvalPlan plan, EvalProgress progress) {
    this.model = model;
    this.plan = plan;
    this.progress = progress;
  }

  /** How records become prompts (LongBench's templates, truncation and lengths); {@link RecordPrompts#PLAIN} else. */
  public EvalRunner prompts(RecordPrompts p) {
    this.prompts = p;
    return this;
  }

  /** Receives every scored generation as it is made. */
  public EvalRunner onPrediction(Consumer<Prediction> listener) {
    this.predictions = listener;
    return this;
  }

  public List<EvalRow> run(List<EvalTask> tasks) {
    long total = 0;
    for (EvalTask t : tasks) {
      total += (long) t.records().size() * plan.runsPerRecord();
    }
    progress.start(total);
    List<EvalRow> rows = new ArrayList<>();
    for (EvalTask t : tasks) {
      rows.addAll(run(t));
    }
    progress.finish();
    return rows;
  }

  /** Each dataset of the file (records' own dataset field, else the file's task) is reported as its own task. */
  private List<EvalRow> run(EvalTask task) {
    Map<String, List<LongBenchRecord>> datasets = new LinkedHashMap<>();
    for (LongBenchRecord r : task.records()) {
      datasets.computeIfAbsent(task.datasetOf(r), k -> new ArrayList<>()).add(r);
    }
    List<EvalRow> rows = new ArrayList<>();
    datasets.forEach((name, records) -> rows.addAll(run(task, name, records)));
    return rows;
  }

  private List<EvalRow> run(EvalTask task, String name, List<LongBenchRecord> records) {
    List<String> methods = plan.methods();
    List<Integer> budgets = plan.budgets();
    Cell full = new Cell();
    Cell[][] cells = new Cell[methods.size()][budgets.size()];
    for (Cell[] row : cells) {
      for (int j = 0; j < row.length; j++) {
        row[j] = new Cell();
      }
    }
    for (LongBenchRecord r : records) {
      RecordPrompts.Prepared p = prompts.prepare(model, name, r, plan.options());
      one(task, name, r, p, EvalPlan.FULL, 0, full);
      for (int i = 0; i < methods.size(); i++) {
        for (int j = 0; j < budgets.size(); j++) {
          one(task, name, r, p, methods.get(i), budgets.get(j), cells[i][j]);
        }
      }
    }
    String metric = task.scorerFor(records.get(0)).metric().cliName();
    double fullAccuracy = full.accuracy();
    List<EvalRow> rows = new ArrayList<>();
    rows.add(full.row(name, metric, EvalPlan.FULL, 0, fullAccuracy));
    for (int i = 0; i < methods.size(); i++) {
      for (int j = 0; j < budgets.size(); j++) {
        rows.add(cells[i][j].row(name, metric, methods.get(i), budgets.get(j), fullAccuracy));
      }
    }
    return rows;
  }

  private void one(EvalTask task, String name, LongBenchRecord r, RecordPrompts.Prepared prompt, String method,
      int budget, Cell cell) {
    GenerationOptions o = prompt.options().withCache(method, method.equals(EvalPlan.FULL) ? 0 : budget);
    EvalModel.Output out = model.generate(prompt.ids(), o);
    double score = task.score(out.answer(), r);
    cell.add(score, out);
    predictions.accept(new Prediction(name, r.id(), method, budget, out.answer(), score));
    progress.advance(name + " " + method + (method.equals(EvalPlan.FULL) ? "" : "@" + budget));
  }

  /** Running sums for one task × method × budget. */
  private static final class Cell {
    double score;
    double msPerStep;
    double prefillMs;
    double kvBytes;
    int n;

    void add(double s, EvalModel.Output out) {
      score += s;
      msPerStep += out.msPerStep();
      prefillMs += out.prefillMs();
      kvBytes += out.kvBytes();
      n++;
    }

    double accuracy() {
      return n == 0 ? Double.NaN : score / n;
    }

    EvalRow row(String task, String metric, String method, int budget, double fullAccuracy) {
      double acc = accuracy();
      return new EvalRow(task, method, budget, acc, EvalRow.retention(acc, fullAccuracy), n,
          msPerStep / n, prefillMs / n, Math.round(kvBytes / n), metric);
    }
  }
}
