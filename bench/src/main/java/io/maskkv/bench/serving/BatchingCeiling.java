package io.maskkv.bench.serving;

import ai.djl.Device;
import io.maskkv.bench.longbench.LongBenchRecord;
import io.maskkv.bench.tasks.TaskFiles;
import io.maskkv.bench.tasks.TaskVocabulary;
import io.maskkv.common.decode.DenoisingDriver;
import io.maskkv.common.decode.GenerationOptions;
import io.maskkv.common.text.TextTokenizer;
import io.maskkv.worker.engine.Transformer;
import io.maskkv.worker.session.Generator;
import io.maskkv.worker.session.ShardSession;
import io.maskkv.worker.session.StepScheduler;
import java.awt.BasicStroke;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The most continuous batching can give on this machine, without any serving: whole sessions (the denoising driver
 * over one {@link StepScheduler}, as a worker runs them) one after another and at fixed concurrency levels, on the
 * same prompts and options as the load benchmark. No gRPC, no controller, no client: what serving adds can only
 * lower the ratio, so a ratio below the load target here means the target is out of reach on this hardware.
 */
public final class BatchingCeiling {
  /** One concurrency level: sessions finished per second of wall time, and the largest batch run so far. */
  public record Row(int concurrency, int sessions, double sessionsPerSecond, double msPerSession, long largestBatch) {}

  private final Path model;
  private final String task;
  private final int promptLength;
  private final GenerationOptions options;

  public BatchingCeiling(Path model, String task, int promptLength, GenerationOptions options) {
    this.model = model;
    this.task = task;
    this.promptLength = promptLength;
    this.options = options;
  }

  public List<Row> run(List<Integer> levels, int sessionsPerLevel, int warmup) throws Exception {
    List<int[]> prompts = new ArrayList<>();
    try (TextTokenizer tokenizer = TextTokenizer.load(model)) {
      for (LongBenchRecord r : TaskFiles.generate(task, 32, promptLength, 7)) {
        prompts.add(tokenizer.encode(TaskVocabulary.asPrompt(r)));
      }
    }
    List<Row> rows = new ArrayList<>();
    try (Transformer t = Transformer.load(model, Device.cpu());
        StepScheduler scheduler = new StepScheduler(t, StepScheduler.DEFAULT_MAX_BATCH_ROWS)) {
      level(t, scheduler, prompts, Math.max(1, levels.stream().mapToInt(Integer::intValue).max().orElse(1)), warmup);
      for (int c : levels) {
        rows.add(level(t, scheduler, prompts, c, sessionsPerLevel));
      }
    }
    return rows;
  }

  private Row level(Transformer t, StepScheduler scheduler, List<int[]> prompts, int concurrency, int sessions)
      throws Exception {
    AtomicInteger next = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(concurrency);
    long t0 = System.nanoTime();
    try {
      List<CompletableFuture<Void>> clients = new ArrayList<>();
      for (int c = 0; c < concurrency; c++) {
        clients.add(CompletableFuture.runAsync(() -> {
          int i;
          while ((i = next.getAndIncrement()) < sessions) {
            int[] p = prompts.get(i % prompts.size());
            try (ShardSession s = new ShardSession(t, Generator.plan(t, options, p.length), x -> {})) {
              DenoisingDriver.run(p, options, t.config(), Generator.scheduled(s, scheduler), e -> {});
            }
          }
        }, pool));
      }
      for (CompletableFuture<Void> f : clients) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    return new Row(concurrency, sessions, sessions / seconds, seconds * 1000 / sessions, scheduler.largestBatch());
  }

  public static String table(List<Row> rows) {
    double one = firstSequential(rows);
    StringBuilder sb = new StringBuilder("| sessions in flight | sessions | sessions/s | ms per session | vs one after"
        + " another |\n|---|---|---|---|---|\n");
    for (Row r : rows) {
      sb.append(String.format(Locale.ROOT, "| %d | %d | %.2f | %.1f | %.2fx |%n", r.concurrency(), r.sessions(),
          r.sessionsPerSecond(), r.msPerSession(), r.sessionsPerSecond() / one));
    }
    return sb.toString();
  }

  /** One line per level, in the order run, with the same ratio as {@link #table}. */
  public static void writeCsv(Path csv, List<Row> rows) throws IOException {
    double one = firstSequential(rows);
    List<String> lines = new ArrayList<>();
    lines.add("concurrency,sessions,sessions_per_s,ms_per_session,vs_sequential,largest_batch");
    for (Row r : rows) {
      lines.add(String.format(Locale.ROOT, "%d,%d,%.4f,%.3f,%.4f,%d", r.concurrency(), r.sessions(),
          r.sessionsPerSecond(), r.msPerSession(), r.sessionsPerSecond() / one, r.largestBatch()));
    }
    Files.createDirectories(csv.toAbsolutePath().getParent());
    Files.write(csv, lines);
  }

  /** Sessions per second against sessions in flight; a level run twice (a warm repeat of 1) shows as two points. */
  public static Path writePlot(Path png, List<Row> rows) throws IOException {
    XYChart chart = new XYChartBuilder().width(800).height(500).title("Engine alone: sessions/s vs sessions in flight")
        .xAxisTitle("sessions in flight").yAxisTitle("sessions/s").build();
    chart.getStyler().setXAxisLogarithmic(true);
    chart.getStyler().setYAxisMin(0.0); // the ratio to one-at-a-time reads off the plot only from zero
    List<Row> sorted = rows.stream().sorted(Comparator.comparingInt(Row::concurrency)).toList();
    chart.addSeries("sessions/s", sorted.stream().mapToDouble(Row::concurrency).toArray(),
        sorted.stream().mapToDouble(Row::sessionsPerSecond).toArray()).setMarker(SeriesMarkers.CIRCLE)
        .setLineStyle(new BasicStroke(2f));
    Files.createDirectories(png.toAbsolutePath().getParent());
    BitmapEncoder.saveBitmap(chart, png.toString(), BitmapEncoder.BitmapFormat.PNG);
    return png;
  }

  private static double firstSequential(List<Row> rows) {
    return rows.stream().filter(r -> r.concurrency() == 1).mapToDouble(Row::sessionsPerSecond).findFirst()
        .orElse(Double.NaN);
  }
}
