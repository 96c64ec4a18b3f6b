package io.maskkv.bench.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "micro", mixinStandardHelpOptions = true,
    description = "JMH micro-benchmarks of the hot kernels (attention over the compressed store, mask-voting, "
        + "top-k, one layer's eviction).")
public final class MicroCommand implements Callable<Integer> {
  @Option(names = "--include", defaultValue = "KernelBenchmarks", description = "regex of benchmarks to run")
  String include;

  @Option(names = "--prompt-lengths", defaultValue = "4096,32768", split = ",",
      description = "prompt lengths of the kernels, comma-separated (default: ${DEFAULT-VALUE})")
  String[] lengths;

  @Option(names = "--iterations", defaultValue = "3",
      description = "JMH measurement iterations (default: ${DEFAULT-VALUE})")
  int iterations;

  @Option(names = "--warmup", defaultValue = "2", description = "JMH warm-up iterations (default: ${DEFAULT-VALUE})")
  int warmup;

  @Option(names = "--forks", defaultValue = "0", description = "0 runs in this JVM (DJL's native library loads once)")
  int forks;

  @Option(names = "--out", defaultValue = "micro.csv", description = "CSV file of the results")
  Path out;

  @Override
  public Integer call() throws Exception {
    Options opts = new OptionsBuilder().include(include).param("promptLength", lengths).forks(forks)
        .warmupIterations(warmup).measurementIterations(iterations)
        .warmupTime(org.openjdk.jmh.runner.options.TimeValue.seconds(1))
        .measurementTime(org.openjdk.jmh.runner.options.TimeValue.seconds(2))
        .resultFormat(ResultFormatType.CSV).result(out.toString()).build();
    new Runner(opts).run();
    System.out.println("wrote " + out);
    return 0;
  }
}
