package io.maskkv.bench.cli;

import io.maskkv.common.model.ModelConfig;
import io.maskkv.common.model.ModelFamily;
import io.maskkv.common.model.ModelShapes;
import io.maskkv.worker.checkpoint.RandomCheckpoint;
import io.maskkv.worker.checkpoint.TensorDType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "make-model", mixinStandardHelpOptions = true,
    description = "Write a randomly initialised model folder in Hugging Face layout (tests and benchmarks).")
public final class MakeModelCommand implements Callable<Integer> {
  @Option(names = "--arch", required = true, description = "llada or dream")
  String arch;

  @Option(names = "--out", required = true, description = "model folder to write (Hugging Face layout)")
  Path out;

  @Option(names = "--layers", defaultValue = "4", description = "transformer layers (default: ${DEFAULT-VALUE})")
  int layers;

  @Option(names = "--d-model", defaultValue = "256", description = "hidden size (default: ${DEFAULT-VALUE})")
  int dModel;

  @Option(names = "--heads", defaultValue = "8", description = "attention heads (default: ${DEFAULT-VALUE})")
  int heads;

  @Option(names = "--kv-heads", description = "default: heads for llada, heads/4 for dream")
  Integer kvHeads;

  @Option(names = "--ffn", description = "SwiGLU inner size (default: 3 x d-model)")
  Integer ffn;

  @Option(names = "--vocab", defaultValue = "1024", description = "vocabulary size (default: ${DEFAULT-VALUE})")
  int vocab;

  @Option(names = "--seed", defaultValue = "0", description = "seed of the random weights (default: ${DEFAULT-VALUE})")
  long seed;

  @Option(names = "--dtype", defaultValue = "F32", description = "F32, F16 or BF16")
  TensorDType dtype;

  @Option(names = "--shards", defaultValue = "1", description = "write a sharded checkpoint with an index")
  int shards;

  @Option(names = "--tokenizer", description = "folder whose tokenizer.json, tokenizer_config.json and "
      + "generation_config.json replace the word-level tokenizer (e.g. fixtures/qwen2_5 with --vocab 151936)")
  Path tokenizer;

  @Override
  public Integer call() throws Exception {
    ModelFamily family = ModelFamily.parse(arch);
    int kv = kvHeads != null ? kvHeads : family == ModelFamily.LLADA ? heads : Math.max(1, heads / 4);
    ModelConfig c = ModelShapes.small(family, layers, dModel, heads, kv, vocab, ffn != null ? ffn : 3 * dModel);
    RandomCheckpoint.write(c, out, seed, dtype, shards, io.maskkv.bench.tasks.TaskVocabulary.words());
    if (tokenizer != null) {
      // a real tokenizer over random weights: what tokenizer, template and streaming tests need (the specials of
      // config.json keep the last ids; stops come from the copied tokenizer_config/generation_config)
      if (!Files.exists(tokenizer.resolve("tokenizer.json"))) {
        throw new IllegalArgumentException(tokenizer + ": no tokenizer.json");
      }
      for (String f : List.of("tokenizer.json", "tokenizer_config.json", "generation_config.json")) {
        if (Files.exists(tokenizer.resolve(f))) {
          Files.copy(tokenizer.resolve(f), out.resolve(f), StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
    System.out.printf("wrote %s: %s, %d layers, d_model %d, %d/%d heads, vocab %d%n", out, family, layers, dModel,
        heads, kv, vocab);
    return 0;
  }
}
