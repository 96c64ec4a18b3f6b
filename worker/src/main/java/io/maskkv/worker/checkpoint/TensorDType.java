package io.maskkv.worker.checkpoint;

/**
 * safetensors dtypes we can read. Each is widened exactly to fp32 on the host; the device then holds it in the
 * precision {@code --dtype} chooses ({@link io.maskkv.worker.engine.WeightPrecision}).
 */
public enum TensorDType {
  F32(4), F16(2), BF16(2);

  final int bytes;

  TensorDType(int bytes) {
    this.bytes = bytes;
  }

  public int bytes() {
    return bytes;
  }

  static TensorDType parse(String s, String where) {
    return switch (s) {
      case "F32" -> F32;
      case "F16" -> F16;
      case "BF16" -> BF16;
      default -> throw new io.maskkv.common.model.ModelFormatException(
          where + ": unsupported dtype " + s + " (supported: F32, F16, BF16)");
    };
  }
}
