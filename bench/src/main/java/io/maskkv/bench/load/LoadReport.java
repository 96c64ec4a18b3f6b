package io.maskkv.bench.load;

import java.awt.BasicStroke;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** One load level's aggregate (a concurrency or an arrival rate) and the table, CSV and plots of a sweep. */
public record LoadReport(String label, double level, int sessions, int ok, Map<String, Integer> errors,
    double wallSeconds, double tokensPerSecond, double sessionsPerSecond, double[] firstStepMs, double[] stepMs,
    double[] queueMs, long peakKvBytes, int correct, int graded) {

  private static final double[] QUANTILES = {0.50, 0.95, 0.99};

  public static LoadReport of(String label, double level, LoadRun.Result run) {
    List<SessionRecord> s = run.sessions();
    Map<String, Integer> errors = new TreeMap<>();
    int tokens = 0;
    int ok = 0;
    int correct = 0;
    int graded = 0;
    List<Double> first = new ArrayList<>();
    List<Double> steps = new ArrayList<>();
    List<Double> queue = new ArrayList<>();
    for (SessionRecord r : s) {
      if (!r.ok()) {
        errors.merge(r.status(), 1, Integer::sum);
        continue;
      }
      ok++;
      tokens += r.tokens();
      first.add(r.firstStepMs());
      queue.add(r.queueMs());
      for (double d : r.stepMs()) {
        steps.add(d);
      }
      if (r.correct() != null) {
        graded++;
        correct += r.correct() ? 1 : 0;
      }
    }
    double secs = run.wallMs() / 1e3;
    return new LoadReport(label, level, s.size(), ok, errors, secs, tokens / secs, ok / secs, quantiles(first),
        quantiles(steps), quantiles(queue), run.peakKvBytes(), correct, graded);
  }

  private static double[] quantiles(List<Double> values) {
    double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    double[] q = new double[QUANTILES.length];
    for (int i = 0; i < q.length; i++) {
      q[i] = v.length == 0 ? Double.NaN : v[(int) Math.min(v.length - 1, Math.ceil(QUANTILES[i] * v.length) - 1)];
    }
    return q;
  }

  public static String table(List<LoadReport> rows) {
    StringBuilder sb = new StringBuilder("| load | sessions | ok | errors | tokens/s | sessions/s | TTFT p50/p95/p99 ms"
        + " | step p50/p95/p99 ms | queue p50/p99 ms | peak KV | accuracy |\n"
        + "|---|---|---|---|---|---|---|---|---|---|---|\n");
    for (LoadReport r : rows) {
      sb.append(String.format(Locale.ROOT, "| %s | %d | %d | %s | %.1f | %.2f | %s | %s | %.0f / %.0f | %s | %s |%n",
          r.label, r.sessions, r.ok, r.errors.isEmpty() ? "-" : r.errors.toString(), r.tokensPerSecond,
          r.sessionsPerSecond, triple(r.firstStepMs), triple(r.stepMs), r.queueMs[0], r.queueMs[2],
          human(r.peakKvBytes), r.graded == 0 ? "-" : r.correct + "/" + r.graded));
    }
    if (rows.size() > 1) {
      LoadReport first = rows.get(0);
      LoadReport last = rows.get(rows.size() - 1);
      sb.append(String.format(Locale.ROOT, "%nthroughput at %s vs %s: %.2fx%n", last.label, first.label,
          last.tokensPerSecond / first.tokensPerSecond));
    }
    return sb.toString();
  }

  private static String triple(double[] q) {
    return String.format(Locale.ROOT, "%.1f / %.1f / %.1f", q[0], q[1], q[2]);
  }

  static String human(long bytes) {
    return bytes >= 1 << 20 ? String.format(Locale.ROOT, "%.1f MiB", bytes / 1048576.0)
        : String.format(Locale.ROOT, "%.1f KiB", bytes / 1024.0);
  }

  public static void writeCsv(Path csv, List<LoadReport> rows) throws IOException {
    List<String> lines = new ArrayList<>();
    lines.add("load,level,sessions,ok,errors,wall_s,tokens_per_s,sessions_per_s,ttft_p50_ms,ttft_p95_ms,ttft_p99_ms,"
        + "step_p50_ms,step_p95_ms,step_p99_ms,queue_p50_ms,queue_p95_ms,queue_p99_ms,peak_kv_bytes,correct,graded");
    for (LoadReport r : rows) {
      lines.add(String.format(Locale.ROOT, "%s,%s,%d,%d,%s,%.3f,%.3f,%.4f,%.3f,%.3f,%.3f,%.3f,%.3f,%.3f,%.3f,%.3f,"
              + "%.3f,%d,%d,%d", r.label, r.level, r.sessions, r.ok,
          r.errors.toString().replace(",", ";").replace(" ", ""), r.wallSeconds, r.tokensPerSecond,
          r.sessionsPerSecond, r.firstStepMs[0], r.firstStepMs[1], r.firstStepMs[2], r.stepMs[0], r.stepMs[1],
          r.stepMs[2], r.queueMs[0], r.queueMs[1], r.queueMs[2], r.peakKvBytes, r.correct, r.graded));
    }
    Files.createDirectories(csv.toAbsolutePath().getParent());
    Files.write(csv, lines);
  }

  /** Throughput vs load level, and step latency (p50, p99) vs throughput. */
  public static List<Path> writePlots(Path dir, String xLabel, List<LoadReport> rows) throws IOException {
    double[] level = rows.stream().mapToDouble(LoadReport::level).toArray();
    double[] tps = rows.stream().mapToDouble(LoadReport::tokensPerSecond).toArray();
    XYChart a = new XYChartBuilder().width(800).height(500).title("Throughput vs " + xLabel).xAxisTitle(xLabel)
        .yAxisTitle("tokens/s").build();
    a.addSeries("tokens/s", level, tps).setMarker(SeriesMarkers.CIRCLE).setLineStyle(new BasicStroke(2f));
    XYChart b = new XYChartBuilder().width(800).height(500).title("Step latency vs throughput")
        .xAxisTitle("tokens/s").yAxisTitle("ms per step").build();
    b.addSeries("p50", tps, rows.stream().mapToDouble(r -> r.stepMs[0]).toArray()).setMarker(SeriesMarkers.CIRCLE);
    b.addSeries("p99", tps, rows.stream().mapToDouble(r -> r.stepMs[2]).toArray()).setMarker(SeriesMarkers.SQUARE);
    Files.createDirectories(dir);
    Path pa = dir.resolve("throughput.png");
    Path pb = dir.resolve("latency.png");
    BitmapEncoder.saveBitmap(a, pa.toString(), BitmapEncoder.BitmapFormat.PNG);
    BitmapEncoder.saveBitmap(b, pb.toString(), BitmapEncoder.BitmapFormat.PNG);
    return Arrays.asList(pa, pb);
  }
}
