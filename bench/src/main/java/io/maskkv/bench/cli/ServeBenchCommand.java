package io.maskkv.bench.cli;

import io.maskkv.bench.serving.ServingOverhead;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "serve-bench", mixinStandardHelpOptions = true,
    description = "Per-step overhead of the gRPC serving path against the in-process engine: in process, embedded "
        + "(in-process transport), one worker over loopback TCP, two shards over loopback TCP.")
public final class ServeBenchCommand implements Callable<Integer> {
  @Option(names = "--model", defaultValue = "models/maskkv-tiny",
      description = "model folder (default: ${DEFAULT-VALUE})")
  Path model;

  @Option(names = "--prompt-length", defaultValue = "512", description = "prompt tokens (default: ${DEFAULT-VALUE})")
  int promptLength;

  @Option(names = "--gen-length", defaultValue = "64",
      description = "response length in tokens (default: ${DEFAULT-VALUE})")
  int genLength;

  @Option(names = "--block-length", defaultValue = "8", description = "block length (default: ${DEFAULT-VALUE})")
  int blockLength;

  @Option(names = "--cache", defaultValue = "maskkv", description = "cache method (default: ${DEFAULT-VALUE})")
  String cache;

  @Option(names = "--budget", defaultValue = "64",
      description = "prompt KV pairs kept per head per layer (default: ${DEFAULT-VALUE})")
  int budget;

  @Option(names = "--runs", defaultValue = "3", description = "measured runs per path (median), after a warm-up")
  int runs;

  @Override
  public Integer call() {
    List<ServingOverhead.Row> rows = new ServingOverhead(model, promptLength,
        ServingOverhead.options(genLength, blockLength, cache, budget), runs, System.err).run();
    System.out.printf("model %s, prompt %d, gen %d, block %d, cache %s, budget %d, %d runs (median)%n%n", model,
        promptLength, genLength, blockLength, cache, budget, runs);
    System.out.print(ServingOverhead.table(rows));
    return rows.stream().allMatch(ServingOverhead.Row::sameTokens) ? 0 : 1;
  }
}
