package io.maskkv.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code ./maskkv} command line. */
@Command(name = "maskkv", mixinStandardHelpOptions = true, version = "maskkv 0.1.0",
    description = "Serve diffusion language models with a MaskKV-compressed prompt KV cache.",
    subcommands = {GenerateCommand.class, ForwardCommand.class, MakeModelCommand.class, EvictCommand.class,
        CalibrateCommand.class, MakeTasksCommand.class, EvalCommand.class, BenchCommand.class, BenchOneCommand.class, MicroCommand.class, TrainCommand.class, ServeCommand.class, WorkerCommand.class, ClientCommand.class,
        ServeBenchCommand.class, HealthCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(run(args));
  }

  public static int run(String... args) {
    CommandLine cli = new CommandLine(new Main());
    cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
      if (e instanceof IllegalArgumentException || e instanceof io.maskkv.common.model.ModelFormatException) {
        cmd.getErr().println("error: " + e.getMessage());
        return 2;
      }
      throw e;
    });
    return cli.execute(args);
  }

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }
}
