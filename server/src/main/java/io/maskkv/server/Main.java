package io.maskkv.server;

import picocli.CommandLine.Command;
import picocli.CommandLine;

/**
 * The serving command line: the commands a deployment runs (serve, worker, client, health, generate, forward,
 * tokenize).
 * Benchmarks, evaluation and training are {@code io.maskkv.bench.cli.BenchMain}, reached from the same
 * {@code ./maskkv} launcher.
 */
@Command(name = "maskkv", mixinStandardHelpOptions = true, version = "maskkv 0.1.0",
    description = "Serve diffusion language models with a MaskKV-compressed prompt KV cache.",
    subcommands = {GenerateCommand.class, ForwardCommand.class, ServeCommand.class, WorkerCommand.class,
        ClientCommand.class, HealthCommand.class, CertsCommand.class, TokenizeCommand.class,
        CommandLine.HelpCommand.class})
public final class Main implements Runnable {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(run(args));
  }

  public static int run(String... args) {
    return execute(new CommandLine(new Main()), args);
  }

  /** Runs a command line whose bad input (a wrong flag value, a malformed model) prints one line and exits 2. */
  public static int execute(CommandLine cli, String... args) {
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
