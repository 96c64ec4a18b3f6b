package io.maskkv.bench.cli;

import io.maskkv.bench.serving.PrefillInterference;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "prefill-interference", mixinStandardHelpOptions = true,
    description = "Step latency of decoding sessions while one long prefill arrives on the same worker, with the "
        + "prefill chunked by layers and whole.")
public final class InterferenceCommand implements Callable<Integer> {
  @Option(names = "--model", defaultValue = "models/maskkv-tiny",
      description = "model folder (default: a random d128 model)")
  Path model;

  @Option(names = "--decoders", defaultValue = "8", description = "sessions decoding meanwhile")
  int decoders;

  @Option(names = "--prompt-length", defaultValue = "16384", description = "the long session's prompt")
  int promptLength;

  @Option(names = "--max-batch-rows", defaultValue = "8192", description = "the scheduler's row budget")
  int maxBatchRows;

  @Override
  public Integer call() throws Exception {
    List<PrefillInterference.Row> rows = new PrefillInterference(model, decoders, promptLength, maxBatchRows).run();
    System.out.printf("model %s, %d sessions decoding (prompt 256, gen 32, block 8, maskkv B=64) while one %d-token"
        + " prompt arrives; row budget %d%n%n", model, decoders, promptLength, maxBatchRows);
    System.out.print(PrefillInterference.table(rows));
    return 0;
  }
}
