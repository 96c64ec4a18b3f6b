package io.maskkv.common.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class MemoryEstimateTest {
  /** LLaDA-8B-Instruct's config.json (GSAI-ML/LLaDA-8B-Instruct): d 4096, 32 layers, 32 heads, SwiGLU 12288. */
  static final ModelConfig LLADA_8B = new ModelConfig(ModelFamily.LLADA, 4096, 32, 32, 32, 12288, 126464, 500000.0,
      1e-5, 126336, 126081, 126348, 126080, 4096);
  /** Dream-v0-Instruct-7B's config.json (Dream-org): hidden 3584, 28 layers, 28/4 heads, 18944, vocab 152064. */
  static final ModelConfig DREAM_7B = new ModelConfig(ModelFamily.DREAM, 3584, 28, 28, 4, 18944, 152064, 1e6, 1e-6,
      151666, 151643, -1, 151643, 131072);

  /**
   * The safetensors index's metadata.total_size, every tensor BF16: 16,031,162,368 bytes for LLaDA-8B; the
   * estimate holds the 65 norm vectors (2 per block + final) in fp32, 2 bytes more per element.
   */
  @Test
  void lladaWeightsMatchTheCheckpointsOwnSize() {
    long norms = (32L * 2 + 1) * 4096;
    assertEquals(16_031_162_368L + 2 * norms, MemoryEstimate.of(LLADA_8B, 0, 32, 2, 0).weightBytes());
    assertEquals(16_031_162_368L * 2, MemoryEstimate.of(LLADA_8B, 0, 32, 4, 0).weightBytes());
  }

  /** Dream: 7,615,616,512 parameters x 2 bytes = 15,231,233,024 (its index's total_size). */
  @Test
  void dreamWeightsMatchTheCheckpointsOwnSize() {
    long small = 28L * (2 * 3584 + 3584 + 2 * 512) + 3584;
    assertEquals(15_231_233_024L + 2 * small, MemoryEstimate.of(DREAM_7B, 0, 28, 2, 0).weightBytes());
  }

  @Test
  void aShardCountsOnlyItsLayersAndItsEnds() {
    MemoryEstimate first = MemoryEstimate.of(LLADA_8B, 0, 16, 2, 0);
    MemoryEstimate second = MemoryEstimate.of(LLADA_8B, 16, 32, 2, 0);
    assertEquals(MemoryEstimate.of(LLADA_8B, 0, 32, 2, 0).weightBytes(), first.weightBytes() + second.weightBytes());
  }

  @Test
  void sessionKvIsFp32KeysAndValuesOfEveryLayer() {
    // 2 (K,V) x 4096 x 4 bytes x 32 layers = 1 MiB per token
    assertEquals(4096L * 1048576, MemoryEstimate.sessionKvBytes(LLADA_8B, 0, 32, 4096));
  }

  @Test
  void refusalNamesEveryNumber() {
    MemoryEstimate e = MemoryEstimate.of(LLADA_8B, 0, 32, 4, MemoryEstimate.sessionKvBytes(LLADA_8B, 0, 32, 4096));
    IllegalArgumentException x = assertThrows(IllegalArgumentException.class,
        () -> e.check("cpu", 24_000_000_000L, "fp32"));
    assertEquals("model does not fit on cpu: needs 37.03 GB (weights 32.06 GB in fp32 + KV 4.29 GB + activations "
        + "0.67 GB), 24.00 GB free; on a GPU, --dtype bf16 or fp16 halves the weights", x.getMessage());
    MemoryEstimate.of(LLADA_8B, 0, 32, 2, 0).check("cuda:0", 80_000_000_000L, "bf16");
  }
}
