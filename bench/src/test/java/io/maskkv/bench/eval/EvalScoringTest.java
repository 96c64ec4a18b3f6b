package io.maskkv.bench.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.maskkv.bench.longbench.LongBenchRecord;
import io.maskkv.bench.longbench.LongBenchWriter;
import io.maskkv.bench.longbench.Metric;
import io.maskkv.bench.tasks.TaskFiles;
import io.maskkv.common.decode.GenerationOptions;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The harness's scoring, aggregation, retention and output on a fake model (no weights involved). */
class EvalScoringTest {
  @TempDir
  Path dir;

  private static final GenerationOptions OPTIONS = GenerationOptions.defaults().withLengths(4, 4, 4);

  /** Answers each prompt with what {@code answer} says for (record, options). */
  static final class FakeModel implements EvalModel {
    final List<LongBenchRecord> records;
    final BiFunction<LongBenchRecord, GenerationOptions, String> answer;
    final List<String> calls = new ArrayList<>();

    FakeModel(List<LongBenchRecord> records, BiFunction<LongBenchRecord, GenerationOptions, String> answer) {
      this.records = records;
      this.answer = answer;
    }

    @Override
    public int[] encode(String prompt) {
      for (int i = 0; i < records.size(); i++) {
        if (io.maskkv.bench.tasks.TaskVocabulary.asPrompt(records.get(i)).equals(prompt)) {
          return new int[] {i};
        }
      }
      throw new AssertionError("prompt of no record");
    }

    @Override
    public String decode(int[] ids) {
      StringBuilder sb = new StringBuilder();
      for (int id : ids) {
        sb.append(io.maskkv.bench.tasks.TaskVocabulary.asPrompt(records.get(id)));
      }
      return sb.toString();
    }

    @Override
    public String chat(String prompt) {
      throw new AssertionError("the plain prompts of our tasks are never chat-wrapped");
    }

    @Override
    public int maxPositions() {
      return 4096;
    }

    @Override
    public Output generate(int[] prompt, GenerationOptions o) {
      calls.add(o.method() + "@" + o.budget());
      return new Output(answer.apply(records.get(prompt[0]), o), 2.0, 5.0, 1000);
    }
  }

  private EvalTask needle(int n) throws Exception {
    Path file = dir.resolve("needle.jsonl");
    TaskFiles.write(file, "needle", n, 64, 3);
    return EvalTask.load(file, null, null, 0);
  }

  @Test
  void plantedAnswerScoresOne() throws Exception {
    EvalTask task = needle(4);
    assertEquals(Metric.EXACT_MATCH, task.metric());
    LongBenchRecord r = task.records().get(0);
    String key = r.answers().get(0);
    assertTrue(key.matches("v\\d+"), key);
    // the one scoring path the runner uses
    assertEquals(1.0, task.score(key, r));
    assertEquals(1.0, task.score(" " + key + " . the", r), "answering then going on still counts");
    assertEquals(0.0, task.score("passkey " + key, r));
    assertEquals(0.0, task.score(key + "0", r), "v4 is not v42");

    // through the runner: full and budget 16 answer right, budget 8 never does
    FakeModel fake = new FakeModel(task.records(),
        (rec, o) -> o.budget() == 8 ? "wrong" : rec.answers().get(0));
    EvalPlan plan = EvalPlan.of("full,snapkv", "16,8", OPTIONS);
    List<EvalRow> rows = new EvalRunner(fake, plan, EvalProgress.NONE).run(List.of(task));
    assertEquals(3, rows.size());
    assertEquals(List.of("full@0", "snapkv@8", "snapkv@16"), fake.calls.subList(0, 3), "full first, budgets up");
    assertEquals(4 * 3, fake.calls.size());
    EvalRow full = rows.get(0);
    assertEquals("full", full.method());
    assertEquals(1.0, full.accuracy());
    assertEquals(1.0, full.retention());
    assertEquals(4, full.n());
    assertEquals(8, rows.get(1).budget());
    assertEquals(0.0, rows.get(1).accuracy());
    assertEquals(0.0, rows.get(1).retention());
    assertEquals(1.0, rows.get(2).accuracy());
    assertEquals(1.0, rows.get(2).retention());
    assertEquals(2.0, rows.get(2).msPerStep());
  }

  @Test
  void retentionIsNanWhenFullScoresZero() throws Exception {
    EvalTask task = needle(2);
    FakeModel fake = new FakeModel(task.records(),
        (rec, o) -> o.budget() == 8 ? rec.answers().get(0) : "nothing");
    List<EvalRow> rows = new EvalRunner(fake, EvalPlan.of("maskkv", "8", OPTIONS), EvalProgress.NONE)
        .run(List.of(task));
    assertEquals(0.0, rows.get(0).accuracy());
    assertTrue(Double.isNaN(rows.get(0).retention()));
    assertEquals(1.0, rows.get(1).accuracy());
    assertTrue(Double.isNaN(rows.get(1).retention()));

    Path csv = dir.resolve("r.csv");
    ResultCsv.write(csv, rows);
    List<String> lines = Files.readAllLines(csv);
    assertEquals("needle,full,,0.0000,NaN,2,2.000,5.000,1000,em", lines.get(1));
    assertEquals("needle,maskkv,8,1.0000,NaN,2,2.000,5.000,1000,em", lines.get(2));
    assertEquals(rows, ResultCsv.read(csv), "reads back what it wrote");
    String table = ResultTable.format(rows);
    assertTrue(table.contains("100.0"), table);
    assertTrue(table.lines().anyMatch(l -> l.startsWith("maskkv") && l.trim().endsWith("-")), table);
  }

  @Test
  void severalTasksGetRowsAndPlotsEach() throws Exception {
    Path a = dir.resolve("needle.jsonl");
    Path b = dir.resolve("vartrack.jsonl");
    TaskFiles.write(a, "needle", 2, 64, 1);
    TaskFiles.write(b, "vartrack", 2, 64, 1);
    List<EvalTask> tasks = List.of(EvalTask.load(a, null, null, 0), EvalTask.load(b, null, null, 1));
    List<LongBenchRecord> all = new ArrayList<>(tasks.get(0).records());
    all.addAll(tasks.get(1).records());
    FakeModel fake = new FakeModel(all, (rec, o) -> rec.answers().get(0));
    List<EvalRow> rows = new EvalRunner(fake, EvalPlan.of("maskkv,random", "8,16", OPTIONS), EvalProgress.NONE)
        .run(tasks);
    assertEquals(2 * (1 + 2 * 2), rows.size());
    assertEquals(1, rows.get(5).n(), "--limit 1 on the second file");
    Path csv = dir.resolve("res.csv");
    List<Path> pngs = AccuracyPlot.write(csv, rows);
    assertEquals(List.of(dir.resolve("res-needle.png"), dir.resolve("res-vartrack.png")), pngs);
    for (Path p : pngs) {
      assertTrue(Files.size(p) > 1000);
    }
  }

  @Test
  void taskAndMetricChoice() throws Exception {
    Path renamed = dir.resolve("test-set.jsonl");
    TaskFiles.write(renamed, "multikey", 2, 64, 9);
    EvalTask t = EvalTask.load(renamed, null, null, 0);
    assertEquals("multikey", t.name(), "taken from the record ids");
    assertEquals(Metric.EXACT_MATCH, t.metric());
    Path dashed = dir.resolve("test-set-2.jsonl");
    TaskFiles.write(dashed, "vartrack-path", 2, 64, 9);
    assertEquals("vartrack-path", EvalTask.load(dashed, null, null, 0).name(), "a task name with a dash, from the ids");

    EvalTask flagged = EvalTask.load(renamed, "mine", "f1", 0);
    assertEquals("mine", flagged.name());
    assertEquals(Metric.QA_F1, flagged.metric());

    Path hotpot = dir.resolve("hotpotqa.jsonl");
    LongBenchWriter.write(hotpot, List.of(new LongBenchRecord("x", "some context", "q?", List.of("Paris"), 2)));
    assertEquals(Metric.QA_F1, EvalTask.load(hotpot, null, null, 0).metric());

    Path unknown = dir.resolve("mystery.jsonl");
    LongBenchWriter.write(unknown, List.of(new LongBenchRecord("x", "c", "q", List.of("a"), 1)));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> EvalTask.load(unknown, null, null, 0));
    assertTrue(e.getMessage().contains("--metric"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> EvalTask.load(dir.resolve("nope.jsonl"), null, null, 0));
  }

  @Test
  void csvQuotesAndReadsOddTaskNames() throws Exception {
    EvalRow r = new EvalRow("a,\"b\"", "snapkv+maskkv", 32, 0.25, 0.5, 7, 1.5, 2.5, 99, "f1");
    Path csv = dir.resolve("odd.csv");
    ResultCsv.write(csv, List.of(r));
    assertEquals("\"a,\"\"b\"\"\",snapkv+maskkv,32,0.2500,0.5000,7,1.500,2.500,99,f1",
        Files.readAllLines(csv).get(1));
    assertEquals(List.of(r), ResultCsv.read(csv));
  }

  @Test
  void planParsing() {
    assertEquals(List.of("maskkv", "streamingllm", "snapkv+maskkv"),
        EvalPlan.parseMethods("full, maskkv,streaming,streamingllm,snapkv+maskkv"));
    assertEquals(List.of(8, 16, 64), EvalPlan.parseBudgets("64,8,16,8"));
    assertThrows(IllegalArgumentException.class, () -> EvalPlan.parseMethods("maskkv,prefix"));
    assertThrows(IllegalArgumentException.class, () -> EvalPlan.parseMethods("maskvk"));
    assertThrows(IllegalArgumentException.class, () -> EvalPlan.parseMethods("maskkv,,snapkv"));
    assertThrows(IllegalArgumentException.class, () -> EvalPlan.parseBudgets("8,0"));
    assertThrows(IllegalArgumentException.class, () -> EvalPlan.parseBudgets("-8"));
    assertThrows(IllegalArgumentException.class, () -> EvalPlan.parseBudgets("eight"));
    EvalPlan p = EvalPlan.of("maskkv,snapkv", "8,16", OPTIONS);
    assertEquals(5, p.runsPerRecord());
    assertEquals("maskkv", p.optionsFor("maskkv", 16).method());
    assertEquals(16, p.optionsFor("maskkv", 16).budget());
    assertEquals("full", p.optionsFor("full", 16).method());
  }

  @Test
  void progressBarPrintsAFinalLine() {
    AtomicLong now = new AtomicLong();
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    io.maskkv.bench.cli.ProgressBar bar = new io.maskkv.bench.cli.ProgressBar("eval",
        new PrintStream(log, true, StandardCharsets.UTF_8), false, now::get);
    bar.start(4);
    for (int i = 0; i < 4; i++) {
      now.addAndGet(500_000_000L);
      bar.advance("needle maskkv@8");
    }
    bar.finish();
    assertEquals("eval: 4/4 done in 2s (2.00/s)\n", log.toString(StandardCharsets.UTF_8));

    ByteArrayOutputStream tty = new ByteArrayOutputStream();
    now.set(0);
    io.maskkv.bench.cli.ProgressBar live = new io.maskkv.bench.cli.ProgressBar("eval",
        new PrintStream(tty, true, StandardCharsets.UTF_8), true, now::get);
    live.start(4);
    now.addAndGet(1_000_000_000L);
    live.advance("needle full");
    String s = tty.toString(StandardCharsets.UTF_8);
    assertTrue(s.contains("\reval [######..................] 1/4 1.00/s ETA 3s  needle full"), s);
  }
}
