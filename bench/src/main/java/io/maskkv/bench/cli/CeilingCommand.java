package io.maskkv.bench.cli;

import io.maskkv.bench.serving.BatchingCeiling;
import io.maskkv.common.decode.GenerationOptions;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "batching-ceiling", mixinStandardHelpOptions = true,
    description = "Sessions per second of the engine alone (denoising driver + step scheduler, no gRPC, no "
        + "controller) one after another and at fixed concurrency: the most continuous batching can give here.")
public final class CeilingCommand implements Callable<Integer> {
  @Option(names = "--model", defaultValue = "models/maskkv-tiny", description = "model folder")
  Path model;

  @Option(names = "--task", defaultValue = "needle", description = "task family of the prompts")
  String task;

  @Option(names = "--prompt-length", defaultValue = "512", description = "tokens per prompt")
  int promptLength;

  @Option(names = "--cache", defaultValue = "maskkv", description = "cache method")
  String cache;

  @Option(names = "--budget", defaultValue = "25", description = "prompt KV budget per layer")
  int budget;

  @Option(names = "--gen-length", defaultValue = "16", description = "response length")
  int genLength;

  @Option(names = "--block-length", description = "block length (default: the gen length)")
  Integer blockLength;

  @Option(names = "--early-stop", negatable = true, defaultValue = "true", fallbackValue = "true",
      description = "stop decoding after EOS (default: on)")
  boolean earlyStop;

  @Option(names = "--concurrency", split = ",", defaultValue = "1,2,4,8,16,32",
      description = "sessions in flight, one level per value")
  List<Integer> levels;

  @Option(names = "--sessions", defaultValue = "64", description = "sessions per level")
  int sessions;

  @Option(names = "--warmup", defaultValue = "32", description = "sessions run before measuring")
  int warmup;

  @Option(names = "--out", description = "folder for ceiling.csv and ceiling.png (default: print the table only)")
  Path out;

  @Override
  public Integer call() throws Exception {
    int block = blockLength == null ? genLength : blockLength;
    GenerationOptions o = GenerationOptions.builder().lengths(genLength, genLength, block).cache(cache, budget)
        .earlyStop(earlyStop).build();
    List<BatchingCeiling.Row> rows = new BatchingCeiling(model, task, promptLength, o).run(levels, sessions, warmup);
    System.out.printf("engine alone: %s, %s %d-token prompts, %s budget %d, gen %d, block %d, early stop %s%n%n",
        model, task, promptLength, cache, budget, genLength, block, earlyStop ? "on" : "off");
    System.out.print(BatchingCeiling.table(rows));
    if (out != null) {
      BatchingCeiling.writeCsv(out.resolve("ceiling.csv"), rows);
      System.out.println("wrote " + out.resolve("ceiling.csv") + " and "
          + BatchingCeiling.writePlot(out.resolve("ceiling.png"), rows));
    }
    return 0;
  }
}
