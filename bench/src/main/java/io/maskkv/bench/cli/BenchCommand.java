package io.maskkv.bench.cli;

import io.maskkv.bench.perf.PerfReport;
import io.maskkv.bench.perf.RunResult;
import io.maskkv.bench.perf.Sweep;
import io.maskkv.common.model.ModelFamily;
import io.maskkv.common.model.ModelShapes;
import io.maskkv.worker.checkpoint.RandomCheckpoint;
import io.maskkv.worker.checkpoint.TensorDType;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "bench", mixinStandardHelpOptions = true,
    description = "Prefill time, ms per step, tokens/s, KV bytes and peak RSS per method and prompt length.")
public final class BenchCommand implements Callable<Integer> {
  @Option(names = "--model", description = "model folder; default: a random model of --arch written to OUT/model")
  Path model;

  @Option(names = "--arch", defaultValue = "llada", description = "family of the generated model")
  String arch;

  @Option(names = "--layers", defaultValue = "2",
      description = "layers of the random model when no --model is given (default: ${DEFAULT-VALUE})")
  int layers;

  @Option(names = "--d-model", defaultValue = "128",
      description = "hidden size of the random model (default: ${DEFAULT-VALUE})")
  int dModel;

  @Option(names = "--heads", defaultValue = "4",
      description = "attention heads of the random model (default: ${DEFAULT-VALUE})")
  int heads;

  @Option(names = "--device", defaultValue = "cpu", description = "cpu, cuda or cuda:N (default: ${DEFAULT-VALUE})")
  String device;

  @Option(names = "--prompt-lengths", defaultValue = "1024,2048,4096,8192,16384,32768", split = ",",
      description = "prompt lengths to sweep, comma-separated (default: ${DEFAULT-VALUE})")
  int[] lengths;

  @Option(names = "--methods", defaultValue = "none,full,maskkv", split = ",",
      description = "cache modes or eviction methods, each optionally with a refresh policy: maskkv/elastic")
  String[] methods;

  @Option(names = "--block-length", description = "default: gen length")
  Integer blockLength;

  @Option(names = "--threshold", defaultValue = "0", description = "parallel decoding threshold (0 = off)")
  double threshold;

  @Option(names = "--budget", defaultValue = "256",
      description = "prompt KV pairs kept per head per layer for eviction methods (default: ${DEFAULT-VALUE})")
  int budget;

  @Option(names = "--gen-length", defaultValue = "32",
      description = "response length in tokens (default: ${DEFAULT-VALUE})")
  int genLength;

  @Option(names = "--steps", defaultValue = "32", description = "denoising steps (default: ${DEFAULT-VALUE})")
  int steps;

  @Option(names = "--max-steps-none", defaultValue = "1",
      description = "the no-cache mode runs this many steps and extrapolates the rest (default: ${DEFAULT-VALUE})")
  int maxStepsNone;

  // The engine's tensors live outside the Java heap, so a small heap is what a worker runs with; a pre-touched
  // 256 MiB heap (the earlier default) made every process 210 MiB larger and hid the cache in the peak RSS ratio.
  // A small initial heap keeps the young generation, and so the RSS the warm-up leaves behind, small (base RSS
  // ~250 MiB with -Xms32m, ~305 MiB without, on the 2-layer model).
  @Option(names = "--java-opts", defaultValue = "-Xms32m -Xmx256m",
      description = "options of each run's JVM (default: ${DEFAULT-VALUE})")
  String javaOpts;

  @Option(names = "--out", required = true, description = "folder for the CSV, table and PNG plots")
  Path out;

  @Option(names = "--from-csv", split = ",", description = "no runs: rebuild the tables and plots from these "
      + "bench.csv files (e.g. two runs of one model at different lengths)")
  List<Path> fromCsv;

  @Override
  public Integer call() throws Exception {
    Files.createDirectories(out);
    if (fromCsv != null) {
      List<RunResult> loaded = new ArrayList<>();
      for (Path csv : fromCsv) {
        loaded.addAll(RunResult.readCsv(csv));
      }
      return report(loaded, loaded.stream().map(RunResult::method).distinct().toArray(String[]::new));
    }
    Path dir = model;
    if (dir == null) {
      dir = out.resolve("model");
      ModelFamily family = ModelFamily.parse(arch);
      int kv = family == ModelFamily.LLADA ? heads : Math.max(1, heads / 4);
      RandomCheckpoint.write(ModelShapes.small(family, layers, dModel, heads, kv, 1024), dir, 0, TensorDType.F32, 1,
          io.maskkv.bench.tasks.TaskVocabulary.words());
      System.err.printf("bench model: random %s, %d layers, d_model %d, %d heads -> %s%n", family, layers, dModel,
          heads, dir);
    }
    Sweep sweep = new Sweep(dir, device, javaOpts);
    List<RunResult> results = new ArrayList<>();
    int total = lengths.length * methods.length;
    int done = 0;
    for (int len : lengths) {
      for (String m : methods) {
        System.err.printf("[%d/%d] %s @ %d tokens ...%n", ++done, total, m, len);
        RunResult r = sweep.run(m, len, budget, genLength, steps, blockLength == null ? genLength : blockLength,
            threshold, maxStepsNone);
        results.add(r);
        PerfReport partial = new PerfReport(results);
        partial.writeCsv(out.resolve("bench.csv")); // written as it goes: a long sweep keeps what it measured
      }
    }
    return report(results, methods);
  }

  private int report(List<RunResult> results, String[] methods) throws IOException {
    PerfReport report = new PerfReport(results);
    report.writeCsv(out.resolve("bench.csv"));
    try (PrintStream table = new PrintStream(Files.newOutputStream(out.resolve("bench.txt")), true)) {
      for (PrintStream ps : List.of(System.out, table)) {
        report.printTable(ps);
        for (String m : methods) {
          String cache = m.split("/")[0];
          if (!cache.equals("full") && io.maskkv.common.budget.EvictionMethods.exists(cache)) {
            report.printRatios(ps, m);
            report.printFits(ps, m);
          }
        }
      }
    }
    report.writePlots(out);
    System.out.println("\nwrote " + out.resolve("bench.csv") + ", bench.txt, step_time.png, memory.png, request.png, "
        + "kv_bytes.png"
        + "; methods " + Arrays.toString(methods));
    return 0;
  }
}
