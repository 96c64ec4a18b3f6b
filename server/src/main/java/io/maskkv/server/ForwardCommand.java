package io.maskkv.server;

import ai.djl.ndarray.NDManager;
import io.maskkv.common.io.Npy;
import io.maskkv.worker.engine.Forward;
import io.maskkv.worker.engine.Transformer;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "forward", mixinStandardHelpOptions = true,
    description = "One no-cache forward pass over token ids; writes raw logits [T, vocab] as float32 .npy.")
public final class ForwardCommand implements Callable<Integer> {
  @Mixin
  ModelOptions model;

  @Option(names = "--ids", required = true, description = "comma-separated token ids")
  String ids;

  @Option(names = "--out", required = true, description = "output .npy file")
  Path out;

  @Override
  public Integer call() throws Exception {
    int[] tokens = Ids.parse(ids);
    if (tokens.length == 0) {
      throw new IllegalArgumentException("--ids is empty");
    }
    try (Transformer t = model.load();
        NDManager step = t.manager().newSubManager()) {
      float[] logits = Forward.logitsAllRows(t, tokens, step);
      Npy.write(out, new long[] {tokens.length, t.config().vocabSize()}, logits);
      System.out.printf("wrote %s: [%d, %d] float32%n", out, tokens.length, t.config().vocabSize());
    }
    return 0;
  }
}
