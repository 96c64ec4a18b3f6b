package io.maskkv.bench.perf;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs every (method, prompt length) pair in a fresh JVM, so each peak-RSS reading is that run's alone, and
 * collects the results the child prints as one CSV line prefixed {@code RESULT,}.
 */
public final class Sweep {
  public static final String PREFIX = "RESULT,";

  private final Path model;
  private final String device;
  private final String javaOpts;

  public Sweep(Path model, String device, String javaOpts) {
    this.model = model;
    this.device = device;
    this.javaOpts = javaOpts;
  }

  public RunResult run(String method, int length, int budget, int gen, int steps, int block, double threshold,
      int maxStepsForNone) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    for (String opt : javaOpts.trim().split("\\s+")) {
      if (!opt.isEmpty()) {
        cmd.add(opt);
      }
    }
    for (String p : List.of("ai.djl.offline", "ai.djl.default_engine", "org.slf4j.simpleLogger.defaultLogLevel",
        "org.slf4j.simpleLogger.log.ai.djl.util.cuda")) {
      if (System.getProperty(p) != null) {
        cmd.add("-D" + p + "=" + System.getProperty(p));
      }
    }
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.maskkv.bench.cli.BenchMain", "bench-one",
        "--model", model.toString(), "--device", device, "--method", method, "--prompt-length",
        Integer.toString(length), "--budget", Integer.toString(budget), "--gen-length", Integer.toString(gen),
        "--steps", Integer.toString(steps), "--block-length", Integer.toString(block), "--threshold",
        Double.toString(threshold), "--max-steps-none", Integer.toString(maxStepsForNone)));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT);
    // the sweep measures each request's own memory: glibc must return freed tensor buffers, not keep them for reuse
    // (the serving default, which is faster); docs/performance.md, "Peak memory"
    pb.environment().putIfAbsent("MALLOC_MMAP_THRESHOLD_", "131072");
    Process p = pb.start();
    RunResult result = null;
    try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = r.readLine()) != null; ) {
        if (line.startsWith(PREFIX)) {
          result = RunResult.parse(line.substring(PREFIX.length()));
        }
      }
    }
    int exit = p.waitFor();
    if (exit != 0 || result == null) {
      throw new IOException("benchmark run " + method + " @ " + length + " failed (exit " + exit + ")");
    }
    return result;
  }
}
