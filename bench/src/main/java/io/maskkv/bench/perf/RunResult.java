package io.maskkv.bench.perf;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * One benchmark run (one method at one prompt length, in its own JVM so its peak RSS is its own).
 *
 * @param msPerStep mean over the steps after the first (block-start refreshes included)
 * @param medianMsPerStep median over the steps after the first: the typical cached step
 * @param peakRssBytes the process's peak RSS during the measured request (the high-water mark is reset after the
 *     warm-up where Linux allows it)
 * @param baseRssBytes RSS of the warmed-up process just before the measured request (model, JVM, libtorch); the
 *     request's own memory is {@code peakRssBytes - baseRssBytes}
 * @param extrapolated true when only the first step ran and ms/step and tokens/s assume every step costs the same
 *     (the no-cache mode recomputes the whole sequence each step, so its steps all cost about one prefill)
 */
public record RunResult(
    String method,
    int promptLength,
    int budget,
    int genLength,
    int steps,
    double prefillMs,
    double msPerStep,
    double medianMsPerStep,
    double tokensPerSecond,
    long kvBytes,
    long peakRssBytes,
    boolean extrapolated,
    long baseRssBytes) {

  static final String CSV_HEADER = "method,prompt_length,budget,gen_length,steps,prefill_ms,ms_per_step,"
      + "median_ms_per_step,tokens_per_s,kv_bytes,peak_rss_bytes,extrapolated,base_rss_bytes";

  public String csv() {
    return String.join(",", method, Integer.toString(promptLength), Integer.toString(budget),
        Integer.toString(genLength), Integer.toString(steps), fmt(prefillMs), fmt(msPerStep), fmt(medianMsPerStep),
        fmt(tokensPerSecond),
        Long.toString(kvBytes), Long.toString(peakRssBytes), Boolean.toString(extrapolated),
        Long.toString(baseRssBytes));
  }

  /** Peak RSS above the warmed-up process: what the request itself needed. */
  public long requestBytes() {
    return Math.max(0, peakRssBytes - baseRssBytes);
  }

  /** Rows of a bench.csv this build wrote (the header is skipped). */
  public static List<RunResult> readCsv(Path file) throws IOException {
    List<String> lines = Files.readAllLines(file);
    if (lines.isEmpty() || !lines.get(0).equals(CSV_HEADER)) {
      throw new IllegalArgumentException(file + " is not a bench CSV of this version (header: " + CSV_HEADER + ")");
    }
    return lines.stream().skip(1).filter(l -> !l.isBlank()).map(RunResult::parse).toList();
  }

  static RunResult parse(String line) {
    String[] f = line.split(",");
    return new RunResult(f[0], Integer.parseInt(f[1]), Integer.parseInt(f[2]), Integer.parseInt(f[3]),
        Integer.parseInt(f[4]), Double.parseDouble(f[5]), Double.parseDouble(f[6]), Double.parseDouble(f[7]),
        Double.parseDouble(f[8]), Long.parseLong(f[9]), Long.parseLong(f[10]), Boolean.parseBoolean(f[11]),
        Long.parseLong(f[12]));
  }

  private static String fmt(double v) {
    return String.format(java.util.Locale.ROOT, "%.3f", v);
  }
}
