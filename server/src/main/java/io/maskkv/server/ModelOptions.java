package io.maskkv.server;

import ai.djl.Device;
import io.maskkv.common.model.MemoryEstimate;
import io.maskkv.common.model.ModelConfig;
import io.maskkv.common.model.ModelConfigJson;
import io.maskkv.worker.engine.Devices;
import io.maskkv.worker.engine.ModelLoader;
import io.maskkv.worker.engine.Transformer;
import io.maskkv.worker.engine.WeightPrecision;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Options every command that loads a model shares. */
public final class ModelOptions {
  /** The bundled model, the default of every command. */
  public static final Path DEFAULT_MODEL = Path.of("models", "maskkv-tiny");
  /** The session the memory check plans for when a command serves one at a time. */
  static final long SESSION_TOKENS = 4096;

  public Path model = Installation.resolve(DEFAULT_MODEL);

  /** A relative folder that is not under the working directory is looked up under the installation. */
  @Option(names = "--model", description = "Hugging Face model folder (default: models/maskkv-tiny of the "
      + "installation)")
  void model(Path dir) {
    model = Installation.resolve(dir);
  }

  @Option(names = "--device", description = "cpu, cuda or cuda:N (default: ${DEFAULT-VALUE})", defaultValue = "cpu")
  public String device;

  @Option(names = "--dtype", defaultValue = "auto", description = "weight precision: auto (the checkpoint's on "
      + "CUDA, fp32 on CPU), fp32, bf16 (CUDA only) or fp16 (default: ${DEFAULT-VALUE})")
  public String dtype;

  /**
   * The whole model, after checking that it and one session of up to 4096 tokens fit the device; progress on
   * stderr for large models.
   */
  public Transformer load() {
    ModelConfig c = ModelConfigJson.read(model);
    long kv = MemoryEstimate.sessionKvBytes(c, 0, c.layers(), Math.min(SESSION_TOKENS, c.maxPositions()));
    return load(0, c.layers(), kv);
  }

  Transformer load(int from, int to, long kvBytes) {
    Device d = Devices.parse(device);
    return ModelLoader.load(model, d, from, to, WeightPrecision.parse(dtype), kvBytes, new LoadProgressPrinter());
  }
}
