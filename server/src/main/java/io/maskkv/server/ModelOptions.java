package io.maskkv.server;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Options every command that loads a model shares. */
public final class ModelOptions {
  /** The bundled model, the default of every command. */
  public static final Path DEFAULT_MODEL = Path.of("models", "maskkv-tiny");

  @Option(names = "--model", description = "Hugging Face model folder (default: ${DEFAULT-VALUE})",
      defaultValue = "models/maskkv-tiny")
  public Path model;

  @Option(names = "--device", description = "cpu, cuda or cuda:N (default: ${DEFAULT-VALUE})", defaultValue = "cpu")
  public String device;
}
