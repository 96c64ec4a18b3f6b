package io.maskkv.worker.engine;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import io.maskkv.common.model.MemoryEstimate;
import io.maskkv.worker.checkpoint.Checkpoint;
import io.maskkv.worker.checkpoint.TensorDType;
import io.maskkv.worker.checkpoint.TensorInfo;
import java.nio.file.Path;
import java.util.Comparator;

/**
 * Loads a model the way a command line asks for it: the precision resolved for the device, the memory it will take
 * checked against what the device has free (refused in one line before any weight is read), progress reported.
 */
public final class ModelLoader {
  private ModelLoader() {}

  /**
   * @param kvBytes the KV cache planned beside the weights (a worker's capacity, or one session's)
   */
  public static Transformer load(Path dir, Device device, int fromLayer, int toLayer, WeightPrecision precision,
      long kvBytes, LoadProgress progress) {
    Checkpoint ckpt = Checkpoint.open(dir);
    DataType type = precision.resolve(device, storedType(ckpt));
    MemoryEstimate need = MemoryEstimate.of(ckpt.config(), fromLayer, toLayer, type == DataType.FLOAT32 ? 4 : 2,
        kvBytes);
    need.check(Devices.name(device), DeviceMemory.available(device), WeightPrecision.nameOf(type));
    return Transformer.load(dir, device, fromLayer, toLayer, type, progress);
  }

  /** The checkpoint's precision: that of its largest tensor (the embedding or the head). */
  static TensorDType storedType(Checkpoint ckpt) {
    return ckpt.tensors().values().stream().max(Comparator.comparingLong(TensorInfo::elements))
        .map(TensorInfo::dtype).orElse(TensorDType.F32);
  }
}
