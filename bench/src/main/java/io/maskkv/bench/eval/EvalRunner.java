package io.maskkv.bench.eval;

import io.maskkv.bench.longbench.LongBenchRecord;
import io.maskkv.common.budget.EvictionMethods;
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
  private List<ByteTarget> byteTargets = List.of();
  private final List<BytesRow> bytesRows = new ArrayList<>();

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

  /**
   * Also runs the equal-bytes sweep: every method under each byte cap, at the largest token budget (searched per
   * record) whose compressed prompt K/V fits under it. Its rows come from {@link #bytesRows()} after {@link #run}.
   */
  public EvalRunner bytes(List<ByteTarget> targets) {
    this.byteTargets = List.copyOf(targets);
    return this;
  }

  /** The equal-bytes sweep's rows of the last {@link #run}: per task, {@code full} first, then method × cap. */
  public List<BytesRow> bytesRows() {
    return List.copyOf(bytesRows);
  }

  /** Receives every scored generation as it is made. */
  public EvalRunner onPrediction(Consumer<Prediction> listener) {
    this.predictions = listener;
    return this;
  }

  public List<EvalRow> run(List<EvalTask> tasks) {
    long total = 0;
    for (EvalTask t : tasks) {
      total += (long) t.records().size() * (plan.runsPerRecord()
          + (long) plan.methods().size() * byteTargets.size());
    }
    progress.start(total);
    bytesRows.clear();
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
    BytesCell fullBytes = new BytesCell();
    BytesCell[][] byteCells = new BytesCell[methods.size()][byteTargets.size()];
    for (BytesCell[] row : byteCells) {
      for (int j = 0; j < row.length; j++) {
        row[j] = new BytesCell();
      }
    }
    for (LongBenchRecord r : records) {
      RecordPrompts.Prepared p = prompts.prepare(model, name, r, plan.options());
      EvalModel.Output fullOut = one(task, name, r, p, EvalPlan.FULL, 0, full);
      fullBytes.add(full.lastScore, fullOut, 0, 0, false, 0);
      // greedy generation is deterministic: the byte sweep reuses the budget sweep's runs of this record
      Map<String, EvalModel.Output> memo = new java.util.HashMap<>();
      for (int i = 0; i < methods.size(); i++) {
        for (int j = 0; j < budgets.size(); j++) {
          memo.put(methods.get(i) + "@" + budgets.get(j),
              one(task, name, r, p, methods.get(i), budgets.get(j), cells[i][j]));
        }
      }
      long promptFull = model.kvBytesPerToken() * p.ids().length;
      for (int i = 0; i < methods.size(); i++) {
        for (int j = 0; j < byteTargets.size(); j++) {
          long cap = byteTargets.get(j).bytesFor(promptFull);
          Fit f = fit(p, methods.get(i), cap, byteCells[i][j].lastBudget, memo);
          double score = task.score(f.out().answer(), r);
          byteCells[i][j].add(score, f.out(), cap, f.budget(), f.over(), f.generations());
          predictions.accept(new Prediction(name, r.id(), methods.get(i) + "@" + byteTargets.get(j).label(),
              f.budget(), f.out().answer(), score));
          progress.advance(name + " " + methods.get(i) + "@" + byteTargets.get(j).label());
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
    if (!byteTargets.isEmpty()) {
      bytesRows.add(fullBytes.row(name, metric, EvalPlan.FULL, "", fullAccuracy));
      for (int i = 0; i < methods.size(); i++) {
        for (int j = 0; j < byteTargets.size(); j++) {
          bytesRows.add(byteCells[i][j].row(name, metric, methods.get(i), byteTargets.get(j).label(),
              fullAccuracy));
        }
      }
    }
    return rows;
  }

  /** The budget a record ran at under a byte cap, its generation, and what finding it cost. */
  record Fit(int budget, EvalModel.Output out, boolean over, int generations) {}

  /**
   * The largest token budget whose compressed prompt K/V ({@link EvalModel.Output#promptKvBytes}) is at most
   * {@code cap}, found with as few generations as possible: start at {@code guess} (the previous record's budget,
   * else cap / bytes per token), step up by the bytes left over (at least one) while it fits, down in proportion
   * when it does not, then bisect between the largest fitting and the smallest exceeding budget. Held bytes grow
   * with the budget for every allocator here (each head's share is a floor of a budget-proportional amount), so
   * this ends with budget B fitting and B + 1 exceeding (or B the whole prompt). When even budget 1 exceeds the
   * cap, budget 1 runs and the record counts as {@code over}. A method with the uniform allocator holds exactly
   * B positions per head and layer, so its budget is the cap over the bytes per token, one generation (none when
   * {@code memo}, keyed {@code method@budget}, already holds it).
   */
  Fit fit(RecordPrompts.Prepared p, String method, long cap, int guess, Map<String, EvalModel.Output> memo) {
    int prompt = p.ids().length;
    long perToken = model.kvBytesPerToken();
    int[] generated = {0};
    java.util.function.IntFunction<EvalModel.Output> run = k -> memo.computeIfAbsent(method + "@" + k, key -> {
      generated[0]++;
      return model.generate(p.ids(), p.options().withCache(method, k));
    });
    if (perToken > 0 && cap >= perToken && EvictionMethods.parse(method).allocator().name().equals("uniform")) {
      int b = (int) Math.min(prompt, cap / perToken);
      return new Fit(b, run.apply(b), false, generated[0]);
    }
    java.util.Map<Integer, EvalModel.Output> tried = new java.util.HashMap<>();
    int lo = 0; // largest budget known to fit (0: none yet)
    int hi = Integer.MAX_VALUE; // smallest budget known to exceed
    int b = guess > 0 ? guess : (perToken > 0 ? (int) Math.min(prompt, cap / perToken) : 1);
    b = Math.max(1, Math.min(prompt, b));
    while (true) {
      int budget = b;
      EvalModel.Output o = tried.computeIfAbsent(budget, run::apply);
      long held = o.promptKvBytes();
      if (held < 0) {
        throw new IllegalStateException("the model does not report prompt KV bytes; --kv-bytes needs them");
      }
      if (held <= cap) {
        lo = Math.max(lo, budget);
      } else {
        hi = Math.min(hi, budget);
      }
      if (lo == 0 && hi == 1) {
        return new Fit(1, o, true, generated[0]);
      }
      if (lo >= prompt || hi <= lo + 1) { // (hi < lo only if held bytes were not monotone: keep the fitting one)
        break;
      }
      int next;
      if (hi == Integer.MAX_VALUE) { // only fitting budgets so far: step up by what is left
        next = lo + (int) Math.max(1, perToken > 0 ? (cap - held) / perToken : 1);
      } else if (lo == 0) { // only exceeding ones: step down in proportion
        next = (int) Math.max(1, Math.min(hi - 1, Math.floor((double) hi * cap / Math.max(1, held))));
      } else {
        next = (lo + hi) >>> 1;
      }
      b = Math.max(lo + 1, Math.min(prompt, Math.min(next, hi - 1)));
    }
    return new Fit(lo, tried.get(lo), false, generated[0]);
  }

  private EvalModel.Output one(EvalTask task, String name, LongBenchRecord r, RecordPrompts.Prepared prompt,
      String method, int budget, Cell cell) {
    GenerationOptions o = prompt.options().withCache(method, method.equals(EvalPlan.FULL) ? 0 : budget);
    EvalModel.Output out = model.generate(prompt.ids(), o);
    double score = task.score(out.answer(), r);
    cell.add(score, out);
    predictions.accept(new Prediction(name, r.id(), method, budget, out.answer(), score));
    progress.advance(name + " " + method + (method.equals(EvalPlan.FULL) ? "" : "@" + budget));
    return out;
  }

  /** Running sums for one task × method × budget. */
  private static final class Cell {
    double score;
    double msPerStep;
    double prefillMs;
    double kvBytes;
    int n;

    double lastScore;

    void add(double s, EvalModel.Output out) {
      lastScore = s;
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

  /** Running sums for one task × method × byte cap. */
  private static final class BytesCell {
    double score;
    double cap;
    double budget;
    double promptBytes;
    double kvBytes;
    int over;
    int generations;
    int n;
    int lastBudget;

    void add(double s, EvalModel.Output out, long capBytes, int chosen, boolean wasOver, int gens) {
      score += s;
      cap += capBytes;
      budget += chosen;
      promptBytes += out.promptKvBytes();
      kvBytes += out.kvBytes();
      over += wasOver ? 1 : 0;
      generations += gens;
      lastBudget = chosen;
      n++;
    }

    BytesRow row(String task, String metric, String method, String target, double fullAccuracy) {
      double acc = n == 0 ? Double.NaN : score / n;
      return new BytesRow(task, method, target, cap / n, budget / n, acc, EvalRow.retention(acc, fullAccuracy), n,
          promptBytes / n, kvBytes / n, over, generations, metric);
    }
  }
}
