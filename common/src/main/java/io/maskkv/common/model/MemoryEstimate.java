package io.maskkv.common.model;

import java.util.Locale;

/**
 * What loading a layer range and serving it will take, worked out from config.json before a byte is read, so
 * that a model that cannot fit is refused in one line instead of failing half-way through a 16 GB load.
 *
 * @param weightBytes projection matrices, embedding and head at the chosen precision, plus norms and biases in fp32
 * @param kvBytes the KV cache the caller plans for (a worker's --kv-bytes, one session's context for generate)
 * @param workspaceBytes activations of one 1024-row prefill slice: its MLP (gate, up, product) and logits rows
 */
public record MemoryEstimate(long weightBytes, long kvBytes, long workspaceBytes) {
  /** Rows of one prefill slice (the engine's chunk size), the largest activation the forward holds at once. */
  public static final long SLICE_ROWS = 1024;

  /**
   * @param bytesPerWeight 4 for fp32, 2 for bf16/fp16
   */
  public static MemoryEstimate of(ModelConfig c, int fromLayer, int toLayer, int bytesPerWeight, long kvBytes) {
    long d = c.hiddenSize();
    long qd = (long) c.heads() * c.headDim();
    long kvd = c.kvDim();
    long ffn = c.intermediateSize();
    long perLayerMatrix = d * qd + 2 * d * kvd + qd * d + 3 * d * ffn;
    long perLayerSmall = 2 * d + (c.qkvBias() ? qd + 2 * kvd : 0);
    int layers = toLayer - fromLayer;
    long matrices = layers * perLayerMatrix;
    long small = layers * perLayerSmall;
    if (fromLayer == 0) {
      matrices += (long) c.vocabSize() * d;
    }
    boolean last = toLayer == c.layers();
    if (last) {
      matrices += (long) c.vocabSize() * d;
      small += d;
    }
    long workspace = SLICE_ROWS * (3 * ffn + (last ? c.vocabSize() : 0)) * Float.BYTES;
    return new MemoryEstimate(matrices * bytesPerWeight + small * Float.BYTES, kvBytes, workspace);
  }

  /** The fp32 K and V of one session holding {@code tokens} positions in every layer of the range. */
  public static long sessionKvBytes(ModelConfig c, int fromLayer, int toLayer, long tokens) {
    return c.kvBytesPerTokenPerLayer() * (toLayer - fromLayer) * tokens;
  }

  public long total() {
    return weightBytes + kvBytes + workspaceBytes;
  }

  /**
   * Throws when the estimate exceeds what the device has free, naming every number.
   *
   * @param precision how the weights would be held (fp32, bf16, fp16), for the message
   */
  public void check(String device, long availableBytes, String precision) {
    if (total() > availableBytes) {
      throw new IllegalArgumentException(String.format(Locale.ROOT,
          "model does not fit on %s: needs %s (weights %s in %s + KV %s + activations %s), %s free%s", device,
          gb(total()), gb(weightBytes), precision, gb(kvBytes), gb(workspaceBytes), gb(availableBytes),
          precision.equals("fp32") ? "; on a GPU, --dtype bf16 or fp16 halves the weights" : ""));
    }
  }

  public static String gb(long bytes) {
    return String.format(Locale.ROOT, "%.2f GB", bytes / 1e9);
  }
}
