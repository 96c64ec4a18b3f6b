package io.maskkv.bench.perf;

import io.maskkv.common.decode.GenerationOptions;
import io.maskkv.common.decode.GenerationResult;
import io.maskkv.common.decode.Refresh;
import io.maskkv.worker.engine.Transformer;
import io.maskkv.worker.session.Generator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

/** Runs one method at one prompt length in this JVM and measures it, peak RSS included. */
public final class SingleRun {
  static final int WARMUP_PROMPT = 256;
  /**
   * The step time of a fresh JVM settles after about ten short generations on our machines (7.5 ms, then 2.1 ms
   * after four, 1.4 ms after ten, at a 256-token prompt); four left MaskKV's short steps half-compiled.
   */
  static final int WARMUP_RUNS = 16;

  private SingleRun() {}

  /**
   * @param maxStepsForNone the no-cache mode runs at most this many steps (1 = measure the first and extrapolate)
   */
  public static RunResult run(Transformer model, String method, int promptLength, int budget, int genLength,
      int steps, int maxStepsForNone) {
    return run(model, method, promptLength, budget, genLength, steps, genLength, 0, maxStepsForNone);
  }

  /**
   * @param method a cache mode or eviction method, optionally with a refresh policy: {@code maskkv/elastic}
   */
  public static RunResult run(Transformer model, String method, int promptLength, int budget, int genLength,
      int steps, int blockLength, double threshold, int maxStepsForNone) {
    String cache = method.contains("/") ? method.substring(0, method.indexOf('/')) : method;
    String refresh = method.contains("/") ? method.substring(method.indexOf('/') + 1) : "none";
    int[] prompt = prompt(promptLength, model.config().vocabSize() - 16);
    boolean extrapolate = method.equals("none") && maxStepsForNone < steps;
    if (extrapolate) {
      blockLength = Math.max(1, maxStepsForNone);
    }
    int runSteps = extrapolate ? Math.max(1, maxStepsForNone) : steps;
    // when extrapolating, one block of runSteps steps over runSteps tokens: each no-cache step costs the same
    int runGen = extrapolate ? runSteps : genLength;
    GenerationOptions o = GenerationOptions.builder().lengths(runGen, runSteps, blockLength).threshold(threshold)
        .cache(cache, budget).seed(1).earlyStop(false).refresh(Refresh.parse(refresh)).build().validated();
    // A fresh JVM runs the step path interpreted at first and a 32-step run never reaches steady state; warm the
    // JIT up on short prompts with the same options (a serving process is warm), then measure.
    int[] warmPrompt = prompt(Math.min(promptLength, WARMUP_PROMPT), model.config().vocabSize() - 16);
    for (int i = 0; i < WARMUP_RUNS; i++) {
      new Generator(model).generate(warmPrompt, o, e -> {});
    }
    long base = resetPeakRss();
    java.util.List<Long> stepNanos = new java.util.ArrayList<>();
    GenerationResult r = new Generator(model).generate(prompt, o, e -> stepNanos.add(e.nanos()));
    double median = median(stepNanos.subList(Math.min(1, stepNanos.size()), stepNanos.size()));
    double stepMs = extrapolate ? r.totalNanos() / 1e6 / r.steps() : r.msPerCachedStep();
    double totalMs = extrapolate ? stepMs * steps : r.totalNanos() / 1e6;
    return new RunResult(method, promptLength, budget, genLength, extrapolate ? steps : r.steps(),
        r.firstStepNanos() / 1e6, stepMs, extrapolate ? stepMs : median,
        genLength / (totalMs / 1e3), r.kvBytesFinal(), peakRss(), extrapolate, base);
  }

  private static double median(java.util.List<Long> nanos) {
    if (nanos.isEmpty()) {
      return 0;
    }
    long[] sorted = nanos.stream().mapToLong(Long::longValue).sorted().toArray();
    return sorted[sorted.length / 2] / 1e6;
  }

  static int[] prompt(int n, int vocab) {
    SplittableRandom rnd = new SplittableRandom(n);
    int[] p = new int[n];
    for (int i = 0; i < n; i++) {
      p[i] = rnd.nextInt(vocab);
    }
    return p;
  }

  /** VmHWM of this process (Linux); 0 where /proc is not available. */
  static long peakRss() {
    return status("VmHWM:");
  }

  /**
   * Resets the peak-RSS mark to the current RSS (Linux ≥ 4.0: "5" into clear_refs), so the warm-up's peak does not
   * count; returns the RSS now.
   */
  static long resetPeakRss() {
    try {
      Files.writeString(Path.of("/proc/self/clear_refs"), "5");
    } catch (IOException | UnsupportedOperationException e) {
      // not Linux, or not allowed: the peak then includes the warm-up, which is smaller than the request
    }
    return status("VmRSS:");
  }

  private static long status(String field) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith(field)) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
      }
    } catch (IOException | NumberFormatException e) {
      return 0;
    }
    return 0;
  }
}
