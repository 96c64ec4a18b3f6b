package io.maskkv.bench.cli;

import io.maskkv.server.ClientCommand;
import io.maskkv.server.ForwardCommand;
import io.maskkv.server.GenerateCommand;
import io.maskkv.server.HealthCommand;
import io.maskkv.server.Main;
import io.maskkv.server.ServeCommand;
import io.maskkv.server.TokenizeCommand;
import io.maskkv.server.WorkerCommand;
import picocli.CommandLine.Command;
import picocli.CommandLine;

/** The whole {@code ./maskkv} command line: the serving commands plus benchmarks, evaluation and training. */
@Command(name = "maskkv", mixinStandardHelpOptions = true, version = "maskkv 0.1.0",
    description = "Serve diffusion language models with a MaskKV-compressed prompt KV cache.",
    subcommands = {GenerateCommand.class, ForwardCommand.class, ServeCommand.class, WorkerCommand.class,
        ClientCommand.class, HealthCommand.class, TokenizeCommand.class, MakeModelCommand.class, EvictCommand.class,
        CalibrateCommand.class, MakeTasksCommand.class, EvalCommand.class, BenchCommand.class,
        BenchOneCommand.class, MicroCommand.class, LoadCommand.class, InterferenceCommand.class, TrainCommand.class, ServeBenchCommand.class,
        AttentionOverlapCommand.class, CeilingCommand.class, RetentionPlotCommand.class,
        CommandLine.HelpCommand.class})
public final class BenchMain implements Runnable {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(run(args));
  }

  public static int run(String... args) {
    return Main.execute(new CommandLine(new BenchMain()), args);
  }

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }
}
