package io.maskkv.worker.engine;

import ai.djl.Device;
import ai.djl.util.cuda.CudaUtils;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;

/** Memory a model could still take on a device: free GPU memory on CUDA, free physical memory on CPU. */
public final class DeviceMemory {
  private DeviceMemory() {}

  public static long available(Device device) {
    if (device.isGpu()) {
      // DJL reports the device's used (committed) and total (max) bytes through cudaMemGetInfo
      MemoryUsage u = CudaUtils.getGpuMemory(device);
      return u.getMax() - u.getCommitted();
    }
    // container-aware in JDK 17 (cgroup limit minus usage); PyTorch CPU tensors live outside the Java heap
    com.sun.management.OperatingSystemMXBean os =
        (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    return os.getFreeMemorySize();
  }
}
