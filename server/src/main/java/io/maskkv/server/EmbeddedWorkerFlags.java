package io.maskkv.server;

import java.util.Map;
import picocli.CommandLine.Option;

/** {@code --embedded-workers}, for every command that starts a controller with embedded workers. */
public final class EmbeddedWorkerFlags {
  @Option(names = "--embedded-workers", description = "whole-model embedded workers, each with its own weights, "
      + "compute thread and KV capacity (default: 1; on CPU try one per core with --intra-op-threads 1)")
  Integer embeddedWorkers;

  /** Puts the count into the controller's properties when it was given; the controller's default holds otherwise. */
  public void putInto(Map<String, Object> properties) {
    if (embeddedWorkers != null) {
      properties.put("maskkv.embedded.workers", embeddedWorkers);
    }
  }
}
