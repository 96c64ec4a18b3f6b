package io.maskkv.server;

import io.maskkv.worker.engine.Devices;
import picocli.CommandLine.Option;

/** {@code --intra-op-threads}, for every command that loads a model; {@link #apply} before the first load. */
public final class ThreadFlags {
  @Option(names = "--intra-op-threads", description = "PyTorch threads per operator in this process (default: one "
      + "per core; 1 is faster where several workers share the cores)")
  Integer intraOpThreads;

  public void apply() {
    Devices.intraOpThreads(intraOpThreads);
  }
}
