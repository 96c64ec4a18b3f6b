package io.maskkv.bench.cli;

import io.maskkv.bench.eval.AccuracyPlot;
import io.maskkv.bench.eval.ByteTarget;
import io.maskkv.bench.eval.BytesRow;
import io.maskkv.bench.eval.BytesTable;
import io.maskkv.bench.eval.EngineModel;
import io.maskkv.bench.eval.EvalPlan;
import io.maskkv.bench.eval.EvalRow;
import io.maskkv.bench.eval.EvalRunner;
import io.maskkv.bench.eval.EvalTask;
import io.maskkv.bench.eval.LongBenchResults;
import io.maskkv.bench.eval.PredictionLog;
import io.maskkv.bench.eval.RecordPrompts;
import io.maskkv.bench.eval.ResultCsv;
import io.maskkv.bench.eval.ResultTable;
import io.maskkv.common.budget.LayerProfile;
import io.maskkv.common.decode.GenerationOptions;
import io.maskkv.common.decode.Refresh;
import io.maskkv.server.ModelOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "eval", mixinStandardHelpOptions = true,
    description = "Accuracy vs KV budget: run the full cache and each eviction method at each budget on "
        + "LongBench-format JSONL, print the tables, write CSV and a PNG plot.",
    footer = {"", "The metric follows each record's dataset field, else the task name (--task, else the file "
        + "name): LongBench's per-dataset metric for its files, exact match for make-tasks files; --metric em|f1|rouge|edit-sim|classification|"
        + "retrieval|count overrides it. See docs/accuracy.md."})
public final class EvalCommand implements Callable<Integer> {
  @Mixin
  ModelOptions model;

  @Option(names = "--data", required = true, split = ",",
      description = "LongBench-format JSONL file(s); one task per file (repeat or comma-separate)")
  List<Path> data;

  @Option(names = "--methods", defaultValue = EvalPlan.DEFAULT_METHODS,
      description = "eviction methods or scorer+allocator pairs; full always runs (default: ${DEFAULT-VALUE})")
  String methods;

  @Option(names = "--budgets", defaultValue = EvalPlan.DEFAULT_BUDGETS,
      description = "prompt KV pairs kept per head per layer on average (default: ${DEFAULT-VALUE})")
  String budgets;

  @Option(names = "--kv-bytes", description = "also sweep byte caps at equal bytes: sizes (24KiB, 1MiB, 100000) "
      + "or shares of the prompt's full KV (2.5%%); each method runs per record at the largest budget whose "
      + "compressed prompt K/V fits under the cap; table printed, CSV in NAME-bytes.csv")
  String kvBytes;

  @Option(names = "--gen-length", description = "new tokens for every record (default: LongBench's dataset2maxlen "
      + "for its datasets, 16 for our tasks)")
  Integer genLength;

  @Option(names = "--max-length", defaultValue = "0", description = "LongBench prompts longer than this many tokens "
      + "keep their first and last halves (default 0: the model's positions less the answer)")
  int maxLength;

  @Option(names = "--chat", description = "an instruct model: wrap LongBench prompts in its chat template (not "
      + "trec, triviaqa, samsum, lsht, lcc, repobench-p, as LongBench's pred.py)")
  boolean chat;

  @Option(names = "--longbench-prompts", defaultValue = "true", arity = "1", description = "LongBench datasets "
      + "get LongBench's prompt templates, truncation and lengths (default: ${DEFAULT-VALUE})")
  boolean longBenchPrompts;

  @Option(names = "--steps", description = "denoising steps (default: gen length)")
  Integer steps;

  @Option(names = "--block-length", description = "default: 8 when it divides the gen length, else the gen length")
  Integer blockLength;

  @Option(names = "--refresh", defaultValue = "none",
      description = "response-side refresh for every method: none | dual | elastic (default: ${DEFAULT-VALUE})")
  String refresh;

  @Option(names = "--threshold", defaultValue = "0",
      description = "Fast-dLLM parallel decoding threshold for every method (0 = off)")
  double threshold;

  @Option(names = "--limit", defaultValue = "0", description = "first N records of each file (0 = all)")
  int limit;

  @Option(names = "--metric", description = "em | f1 | rouge | edit-sim | classification | retrieval | count "
      + "(default: by task name)")
  String metric;

  @Option(names = "--task", description = "task name for the CSV and the metric choice (default: the file name)")
  String task;

  @Option(names = "--seed", defaultValue = "42", description = "sampling and random-eviction seed")
  long seed;

  @Option(names = "--factor", defaultValue = "0",
      description = "Fast-dLLM's factor-based parallel decoding for every method (0 = off)")
  double factor;

  @Option(names = "--logits-eos-inf", description = "LLaDA's logits_eos_inf: never predict EOS")
  boolean logitsEosInf;

  @Option(names = "--confidence-eos-eot-inf", description = "LLaDA's confidence_eos_eot_inf: EOT predictions rank last")
  boolean confidenceEosEotInf;

  @Option(names = "--out", required = true, description = "results CSV; the plot goes next to it (NAME.png)")
  Path out;

  @Option(names = "--predictions", description = "also write every answer and its score as JSONL here")
  Path predictions;

  /** Answer length of our own tasks when --gen-length is not given. */
  static final int DEFAULT_GEN_LENGTH = 16;

  @Override
  public Integer call() throws Exception {
    if (task != null && data.size() > 1) {
      throw new IllegalArgumentException("--task names one file's task; give it with a single --data file");
    }
    if (limit < 0) {
      throw new IllegalArgumentException("--limit must be >= 0, got " + limit);
    }
    int gen = genLength != null ? genLength : DEFAULT_GEN_LENGTH;
    int st = steps != null ? steps : gen;
    int bl = blockLength != null ? blockLength : (gen % 8 == 0 ? 8 : gen);
    GenerationOptions options = GenerationOptions.builder().lengths(gen, st, bl).threshold(threshold)
        .cache(EvalPlan.FULL, 0).seed(seed).refresh(Refresh.parse(refresh)).logitsEosInf(logitsEosInf)
        .confidenceEosEotInf(confidenceEosEotInf).factor(factor).build();
    EvalPlan plan = EvalPlan.of(methods, budgets, options);
    List<ByteTarget> targets = ByteTarget.parseList(kvBytes);
    List<EvalTask> tasks = new ArrayList<>();
    for (Path file : data) {
      tasks.add(EvalTask.load(file, task, metric, limit));
    }
    quietProfileWarning();

    List<EvalRow> rows;
    List<BytesRow> bytesRows;
    try (EngineModel m = EngineModel.of(model.load());
        PredictionLog log = predictions == null ? null : PredictionLog.open(predictions)) {
      long records = tasks.stream().mapToLong(t -> t.records().size()).sum();
      System.err.printf("eval: %d task(s), %d records, full + %d method(s) x %d budget(s), gen length %d, "
              + "steps %d, block length %d%n", tasks.size(), records, plan.methods().size(),
          plan.budgets().size(), gen, st, bl);
      EvalRunner runner = new EvalRunner(m, plan, ProgressBar.stderr("eval"))
          .prompts(new RecordPrompts(longBenchPrompts, maxLength, chat, genLength != null ? genLength : 0));
      if (log != null) {
        runner.onPrediction(log);
      }
      runner.bytes(targets);
      rows = runner.run(tasks);
      bytesRows = runner.bytesRows();
    }
    System.out.print(ResultTable.format(rows));
    ResultCsv.write(out, rows);
    if (!bytesRows.isEmpty()) {
      System.out.print(BytesTable.format(bytesRows));
      BytesTable.write(BytesTable.fileFor(out), bytesRows);
      System.err.println("wrote " + BytesTable.fileFor(out));
    }
    List<Path> pngs = AccuracyPlot.write(out, rows);
    Path results = LongBenchResults.dirFor(out);
    LongBenchResults.write(results, rows);
    System.err.println("wrote " + out + (pngs.isEmpty() ? "" : " and " + String.join(", ",
        pngs.stream().map(Path::toString).toList())) + "; LongBench result.json files under " + results);
    return 0;
  }

  /**
   * {@link LayerProfile} warns on every read when the model has no profile, and every generation reads it;
   * warn once here instead and raise that logger's level before it is created (slf4j-simple reads the
   * per-logger level from system properties when the logger is made).
   */
  private void quietProfileWarning() {
    if (!Files.exists(model.model.resolve(LayerProfile.FILE))) {
      System.err.println("warning: " + model.model + " has no " + LayerProfile.FILE + "; maskkv and "
          + "squeezeattention use a uniform layer profile (run ./maskkv calibrate)");
      System.setProperty("org.slf4j.simpleLogger.log." + LayerProfile.class.getName(), "error");
    }
  }
}
