package io.maskkv.worker.checkpoint;

/** IEEE 754 binary16 conversions (Java 17 has no Float.float16ToFloat). */
public final class HalfFloats {
  private HalfFloats() {}

  public static float toFloat(short h) {
    int bits = h & 0xFFFF;
    int sign = (bits & 0x8000) << 16;
    int exp = (bits >>> 10) & 0x1F;
    int mant = bits & 0x3FF;
    if (exp == 0x1F) {
      return Float.intBitsToFloat(sign | 0x7F800000 | (mant << 13));
    }
    if (exp == 0) {
      if (mant == 0) {
        return Float.intBitsToFloat(sign);
      }
      // subnormal: value = mant * 2^-24
      float v = mant * 0x1.0p-24f;
      return sign == 0 ? v : -v;
    }
    return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
  }

  /** Round-to-nearest-even fp32 → fp16 (used only to write F16 test checkpoints). */
  public static short fromFloat(float f) {
    int bits = Float.floatToRawIntBits(f);
    int sign = (bits >>> 16) & 0x8000;
    int val = (bits & 0x7FFFFFFF) + 0x1000;
    if (val >= 0x47800000) {
      if ((bits & 0x7FFFFFFF) >= 0x47800000) {
        if (val < 0x7F800000) {
          return (short) (sign | 0x7C00);
        }
        return (short) (sign | 0x7C00 | ((bits & 0x007FFFFF) >>> 13));
      }
      return (short) (sign | 0x7BFF);
    }
    if (val >= 0x38800000) {
      return (short) (sign | ((val - 0x38000000) >>> 13));
    }
    if (val < 0x33000000) {
      return (short) sign;
    }
    val = (bits & 0x7FFFFFFF) >>> 23;
    return (short) (sign | ((((bits & 0x7FFFFF) | 0x800000) + (0x800000 >>> (val - 102))) >>> (126 - val)));
  }

  /** fp32 → bf16 with round-to-nearest-even, as PyTorch's .to(bfloat16). */
  public static short toBf16(float f) {
    int bits = Float.floatToRawIntBits(f);
    int rounding = 0x7FFF + ((bits >>> 16) & 1);
    return (short) ((bits + rounding) >>> 16);
  }
}
