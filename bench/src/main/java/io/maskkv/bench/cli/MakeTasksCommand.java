package io.maskkv.bench.cli;

import io.maskkv.bench.tasks.TaskFiles;
import io.maskkv.bench.tasks.TaskRegistry;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "make-tasks", mixinStandardHelpOptions = true,
    description = "Write a procedurally generated long-context task file in LongBench JSONL format.",
    footer = {"", "Tasks: needle, multikey, multivalue, vartrack, count; training curriculum: vartrack-1hop, vartrack-2hop, "
        + "vartrack-3hop; vartrack-path (answered with the chain back to the value: 'x9 , x3 , v17')"})
public final class MakeTasksCommand implements Callable<Integer> {
  @Option(names = "--task", required = true, description = "a task name (see below)")
  String task;

  @Option(names = "--out", required = true, description = "JSONL file to write (LongBench format)")
  Path out;

  @Option(names = "--n", defaultValue = "200", description = "examples to write (default: ${DEFAULT-VALUE})")
  int n;

  @Option(names = "--length", defaultValue = "1024", description = "prompt length in tokens")
  int length;

  @Option(names = "--seed", defaultValue = "0", description = "seed of the generator (default: ${DEFAULT-VALUE})")
  long seed;

  @Override
  public Integer call() throws Exception {
    if (!TaskRegistry.names().contains(task)) {
      throw new IllegalArgumentException("unknown task '" + task + "' (tasks: " + TaskRegistry.names() + ")");
    }
    TaskFiles.write(out, task, n, length, seed);
    System.out.printf("wrote %d %s examples of %d tokens to %s%n", n, task, length, out);
    return 0;
  }
}
