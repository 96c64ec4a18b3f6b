package io.maskkv.worker.engine;

import ai.djl.Device;

/** Parses the configured device name: {@code cpu}, {@code cuda}, {@code cuda:N} or DJL's {@code gpuN}. */
public final class Devices {
  private Devices() {}

  public static Device parse(String name) {
    String n = name == null ? "cpu" : name.trim().toLowerCase(java.util.Locale.ROOT);
    if (n.isEmpty() || n.equals("cpu")) {
      return Device.cpu();
    }
    if (n.equals("cuda") || n.equals("gpu")) {
      return Device.gpu(0);
    }
    if (n.startsWith("cuda:")) {
      return Device.gpu(Integer.parseInt(n.substring(5)));
    }
    if (n.startsWith("gpu")) {
      return Device.gpu(Integer.parseInt(n.substring(3)));
    }
    throw new IllegalArgumentException("unknown device '" + name + "' (expected cpu, cuda or cuda:N)");
  }

  /** The name users write for a device ({@code cpu}, {@code cuda:0}), for messages. */
  public static String name(Device device) {
    return device.isGpu() ? "cuda:" + device.getDeviceId() : "cpu";
  }
}
