package io.maskkv.worker.engine;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import io.maskkv.worker.checkpoint.TensorDType;
import java.util.Locale;

/**
 * How the projection matrices, embedding and LM head are held on the device ({@code --dtype}). Norms, biases,
 * activations, attention and the KV cache stay fp32: a matrix product casts its input rows to the weight's type
 * and its result back to fp32 ({@link TransformerBlock#linear}), so low precision costs accuracy only in the
 * GEMMs, as in the reference models' own bf16 runs.
 */
public enum WeightPrecision {
  /** The checkpoint's own precision on CUDA; fp32 on CPU. */
  AUTO,
  /** Exact widening of F16/BF16 to fp32 (every device). */
  FP32,
  /** bfloat16; CUDA only. */
  BF16,
  /** float16; BF16 checkpoints are rounded to it (lossy where a value is outside fp16's range). */
  FP16;

  public static WeightPrecision parse(String s) {
    try {
      return valueOf(s.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("unknown --dtype '" + s + "' (expected auto, fp32, bf16 or fp16)");
    }
  }

  /** The NDArray type weights are held in on this device, for a checkpoint stored in {@code stored}. */
  public DataType resolve(Device device, TensorDType stored) {
    boolean gpu = device.isGpu();
    return switch (this) {
      case AUTO -> !gpu ? DataType.FLOAT32 : switch (stored) {
        case F32 -> DataType.FLOAT32;
        case F16 -> DataType.FLOAT16;
        case BF16 -> DataType.BFLOAT16;
      };
      case FP32 -> DataType.FLOAT32;
      case FP16 -> DataType.FLOAT16;
      case BF16 -> {
        if (!gpu) {
          // DJL 0.36's PyTorch engine terminates the JVM on any BF16 tensor on CPU (checked here: toType(BFLOAT16)
          // ends the process with "terminate called without an active exception"), so refuse before loading
          throw new IllegalArgumentException("--dtype bf16 needs a CUDA device (DJL's PyTorch engine aborts on BF16 "
              + "on CPU); use --dtype fp32 (exact) or fp16 on " + Devices.name(device));
        }
        yield DataType.BFLOAT16;
      }
    };
  }

  /** The name users pass for a resolved type (fp32, bf16, fp16). */
  public static String nameOf(DataType t) {
    return switch (t) {
      case FLOAT16 -> "fp16";
      case BFLOAT16 -> "bf16";
      default -> "fp32";
    };
  }
}
