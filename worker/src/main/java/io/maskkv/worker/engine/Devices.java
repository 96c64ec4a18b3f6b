package io.maskkv.worker.engine;

import ai.djl.Device;

/** Parses the configured device name: {@code cpu}, {@code cuda}, {@code cuda:N} or DJL's {@code gpuN}. */
public final class Devices {
  private Devices() {}

  /**
   * Sets PyTorch's intra-op threads for this process (DJL reads the property when its engine starts, so this must
   * run before the first model loads; null leaves PyTorch's default, one per core). One thread per worker is the
   * faster setting where several workers or other busy threads share the cores: a parallel region waits for its
   * slowest thread, and a descheduled one stalls it.
   */
  public static void intraOpThreads(Integer threads) {
    if (threads == null) {
      return;
    }
    if (threads < 1) {
      throw new IllegalArgumentException("--intra-op-threads must be at least 1, got " + threads);
    }
    System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(threads));
  }

  public static Device parse(String name) {
    String n = name == null ? "cpu" : name.trim().toLowerCase(java.util.Locale.ROOT);
    if (n.isEmpty() || n.equals("cpu")) {
      return Device.cpu();
    }
    int index;
    try {
      if (n.equals("cuda") || n.equals("gpu")) {
        index = 0;
      } else if (n.startsWith("cuda:")) {
        index = Integer.parseInt(n.substring(5));
      } else if (n.startsWith("gpu")) {
        index = Integer.parseInt(n.substring(3));
      } else {
        throw new NumberFormatException();
      }
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("unknown device '" + name + "' (expected cpu, cuda or cuda:N)");
    }
    // checked here, in one line, rather than as an engine stack trace at the first tensor
    int gpus = ai.djl.util.cuda.CudaUtils.getGpuCount();
    if (index >= gpus) {
      throw new IllegalArgumentException("--device " + name + ": " + (gpus == 0 ? "no CUDA GPU is usable here (no "
          + "driver, or a CPU build of the PyTorch native library)" : "only " + gpus + " CUDA GPU(s)")
          + "; use --device cpu");
    }
    return Device.gpu(index);
  }

  /** The name users write for a device ({@code cpu}, {@code cuda:0}), for messages. */
  public static String name(Device device) {
    return device.isGpu() ? "cuda:" + device.getDeviceId() : "cpu";
  }
}
