package io.maskkv.bench.cli;

import io.maskkv.bench.perf.RunResult;
import io.maskkv.bench.perf.SingleRun;
import io.maskkv.bench.perf.Sweep;
import io.maskkv.server.ModelOptions;
import io.maskkv.worker.engine.Devices;
import io.maskkv.worker.engine.Transformer;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** One benchmark run in its own JVM (started by {@code bench}); prints one {@code RESULT,} CSV line. */
@Command(name = "bench-one", hidden = true)
public final class BenchOneCommand implements Callable<Integer> {
  @Mixin
  ModelOptions model;

  @Option(names = "--method", required = true, description = "cache method of this run")
  String method;

  @Option(names = "--prompt-length", required = true, description = "prompt tokens")
  int promptLength;

  @Option(names = "--budget", defaultValue = "256",
      description = "prompt KV pairs kept per head per layer (default: ${DEFAULT-VALUE})")
  int budget;

  @Option(names = "--gen-length", defaultValue = "32",
      description = "response length in tokens (default: ${DEFAULT-VALUE})")
  int genLength;

  @Option(names = "--steps", defaultValue = "32", description = "denoising steps (default: ${DEFAULT-VALUE})")
  int steps;

  @Option(names = "--block-length", defaultValue = "32", description = "block length (default: ${DEFAULT-VALUE})")
  int blockLength;

  @Option(names = "--threshold", defaultValue = "0",
      description = "parallel-decoding confidence threshold, 0 = off (default: ${DEFAULT-VALUE})")
  double threshold;

  @Option(names = "--max-steps-none", defaultValue = "1",
      description = "steps run without a cache before extrapolating (default: ${DEFAULT-VALUE})")
  int maxStepsNone;

  @Override
  public Integer call() {
    try (Transformer t = Transformer.load(model.model, Devices.parse(model.device))) {
      RunResult r = SingleRun.run(t, method, promptLength, budget, genLength, steps, blockLength, threshold,
          maxStepsNone);
      System.out.println(Sweep.PREFIX + r.csv());
    }
    return 0;
  }
}
