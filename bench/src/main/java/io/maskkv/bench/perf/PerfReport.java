package io.maskkv.bench.perf;

import io.maskkv.common.io.Bytes;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.TreeSet;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;

/** The sweep's table, ratios, CSV and plots. */
public final class PerfReport {
  private final List<RunResult> results;

  public PerfReport(List<RunResult> results) {
    this.results = results;
  }

  public void printTable(PrintStream out) {
    out.printf(Locale.ROOT, "%-15s %8s %11s %11s %11s %10s %12s %12s %12s %s%n", "method", "prompt", "prefill ms",
        "ms/step", "median ms", "tokens/s", "KV bytes", "peak RSS", "request", "");
    for (RunResult r : results) {
      out.printf(Locale.ROOT, "%-15s %8d %11.1f %11.2f %11.2f %10.2f %12s %12s %12s %s%n", r.method(), r.promptLength(),
          r.prefillMs(), r.msPerStep(), r.medianMsPerStep(), r.tokensPerSecond(), Bytes.human(r.kvBytes()), Bytes.human(r.peakRssBytes()),
          Bytes.human(r.requestBytes()),
          r.extrapolated() ? "(ms/step, tokens/s extrapolated)" : "");
    }
  }

  /**
   * Per length: step-time ratios full/maskkv and none/maskkv (mean and median step), and maskkv/full ratios of KV
   * bytes, peak RSS and the request's own memory (peak RSS above the warmed-up process).
   */
  public void printRatios(PrintStream out, String target) {
    out.printf(Locale.ROOT, "%n%8s %22s %16s %14s %16s %20s%n", "prompt", "full/" + target + " step",
        "none/" + target + " step", target + "/full KV", target + "/full RSS", target + "/full request");
    out.printf(Locale.ROOT, "%8s %22s %16s%n", "", "mean / median", "mean");
    for (int len : lengths()) {
      Optional<RunResult> m = find(target, len);
      if (m.isEmpty()) {
        continue;
      }
      Optional<RunResult> full = find("full", len);
      Optional<RunResult> none = find("none", len);
      out.printf(Locale.ROOT, "%8d %22s %16s %14s %16s %20s%n", len,
          full.map(f -> String.format(Locale.ROOT, "%.1fx / %.1fx", f.msPerStep() / m.get().msPerStep(),
              f.medianMsPerStep() / m.get().medianMsPerStep())).orElse("-"),
          none.map(f -> String.format(Locale.ROOT, "%.1fx", f.msPerStep() / m.get().msPerStep())).orElse("-"),
          full.map(f -> String.format(Locale.ROOT, "%.2f%%", 100.0 * m.get().kvBytes() / f.kvBytes())).orElse("-"),
          full.map(f -> String.format(Locale.ROOT, "%.1f%%", 100.0 * m.get().peakRssBytes() / f.peakRssBytes()))
              .orElse("-"),
          full.filter(f -> f.requestBytes() > 0)
              .map(f -> String.format(Locale.ROOT, "%.1f%%", 100.0 * m.get().requestBytes() / f.requestBytes()))
              .orElse("-"));
    }
  }

  /**
   * The longest prompt that fits in a memory limit, from measured points only: for each length {@code full} ran
   * at, its peak RSS (and its request's own memory) is taken as the limit, and the longest prompt the target ran
   * at within that limit is reported with the ratio of the two lengths. Nothing is extrapolated, so a ratio is at
   * most the longest length run divided by the limit's length, and a fit at that length is marked as a lower
   * bound ({@code 32768+}, {@code >=8x}).
   */
  public void printFits(PrintStream out, String target) {
    out.printf(Locale.ROOT, "%nlongest prompt within a memory limit (measured lengths only)%n");
    out.printf(Locale.ROOT, "%8s %14s %12s %8s %14s %12s %8s%n", "full at", "peak RSS", target + " fits", "ratio",
        "request", target + " fits", "ratio");
    int longest = results.stream().filter(r -> r.method().equals(target)).mapToInt(RunResult::promptLength).max()
        .orElse(0);
    for (int len : lengths()) {
      Optional<RunResult> full = find("full", len);
      if (full.isEmpty()) {
        continue;
      }
      int byRss = longestWithin(target, full.get().peakRssBytes(), RunResult::peakRssBytes);
      int byRequest = full.get().requestBytes() > 0
          ? longestWithin(target, full.get().requestBytes(), RunResult::requestBytes) : 0;
      out.printf(Locale.ROOT, "%8d %14s %12s %8s %14s %12s %8s%n", len, Bytes.human(full.get().peakRssBytes()),
          fit(byRss, longest), ratio(byRss, len, longest), Bytes.human(full.get().requestBytes()),
          fit(byRequest, longest), ratio(byRequest, len, longest));
    }
  }

  private int longestWithin(String method, long limit, java.util.function.ToLongFunction<RunResult> bytes) {
    return results.stream().filter(r -> r.method().equals(method) && bytes.applyAsLong(r) <= limit)
        .mapToInt(RunResult::promptLength).max().orElse(0);
  }

  private static String fit(int len, int longest) {
    return len == 0 ? "none" : len + (len == longest ? "+" : "");
  }

  private static String ratio(int fits, int len, int longest) {
    return fits == 0 ? "-" : String.format(Locale.ROOT, "%s%.0fx", fits == longest ? ">=" : "", (double) fits / len);
  }

  public void writeCsv(Path file) throws IOException {
    List<String> lines = new ArrayList<>();
    lines.add(RunResult.CSV_HEADER);
    results.forEach(r -> lines.add(r.csv()));
    Files.write(file, lines);
  }

  public void writePlots(Path dir) throws IOException {
    plot(dir.resolve("step_time.png"), "ms per denoising step", "ms per step (log)", RunResult::msPerStep);
    plot(dir.resolve("memory.png"), "peak resident memory", "peak RSS, MiB (log)",
        r -> r.peakRssBytes() / 1048576.0);
    plot(dir.resolve("request.png"), "the request's own memory (peak RSS above the warmed process)",
        "MiB (log)", r -> Math.max(1e-3, r.requestBytes() / 1048576.0));
    plot(dir.resolve("kv_bytes.png"), "KV bytes held", "KV MiB (log)", r -> Math.max(1e-3, r.kvBytes() / 1048576.0));
  }

  private void plot(Path file, String title, String yLabel, java.util.function.ToDoubleFunction<RunResult> y)
      throws IOException {
    XYChart chart = new XYChartBuilder().width(800).height(500).title(title).xAxisTitle("prompt length (tokens)")
        .yAxisTitle(yLabel).build();
    chart.getStyler().setXAxisLogarithmic(true);
    chart.getStyler().setYAxisLogarithmic(true);
    for (String method : new TreeSet<>(results.stream().map(RunResult::method).toList())) {
      List<RunResult> rs = results.stream().filter(r -> r.method().equals(method)).toList();
      double[] xs = rs.stream().mapToDouble(RunResult::promptLength).toArray();
      double[] ys = rs.stream().mapToDouble(y).toArray();
      chart.addSeries(method, xs, ys);
    }
    BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
  }

  private TreeSet<Integer> lengths() {
    return new TreeSet<>(results.stream().map(RunResult::promptLength).toList());
  }

  private Optional<RunResult> find(String method, int len) {
    return results.stream().filter(r -> r.method().equals(method) && r.promptLength() == len).findFirst();
  }

}
