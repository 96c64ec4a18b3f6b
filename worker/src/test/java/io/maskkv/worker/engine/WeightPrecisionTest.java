package io.maskkv.worker.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.maskkv.common.model.ModelFamily;
import io.maskkv.worker.TestModels;
import io.maskkv.worker.checkpoint.TensorDType;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Weights held in a narrow precision: a BF16 checkpoint (as make-model --dtype BF16 writes it) gives the same
 * logits in fp16 as in exact fp32 within half precision's tolerance; bf16 is refused on CPU before DJL can abort.
 */
class WeightPrecisionTest {
  private static float[] logits(Transformer t, int[] ids) {
    try (NDManager step = t.manager().newSubManager()) {
      return Forward.logitsAllRows(t, ids, step);
    }
  }

  @Test
  void fp16WeightsGiveTheFp32LogitsWithinHalfPrecision() {
    for (ModelFamily f : ModelFamily.values()) {
      Path bf16 = TestModels.model(f, 2, 64, TensorDType.BF16, 1);
      int[] ids = TestModels.prompt(40, 3);
      float[] exact;
      float[] half;
      try (Transformer t = Transformer.load(bf16, Device.cpu())) {
        exact = logits(t, ids);
      }
      try (Transformer t = ModelLoader.load(bf16, Device.cpu(), 0, 2, WeightPrecision.FP16, 0, LoadProgress.NONE)) {
        half = logits(t, ids);
      }
      double maxDiff = 0;
      double maxAbs = 0;
      int vocab = exact.length / ids.length;
      int sameArgmax = 0;
      for (int r = 0; r < ids.length; r++) {
        int a = 0;
        int b = 0;
        for (int v = 0; v < vocab; v++) {
          int i = r * vocab + v;
          maxDiff = Math.max(maxDiff, Math.abs(exact[i] - half[i]));
          maxAbs = Math.max(maxAbs, Math.abs(exact[i]));
          a = exact[i] > exact[r * vocab + a] ? v : a;
          b = half[i] > half[r * vocab + b] ? v : b;
        }
        sameArgmax += a == b ? 1 : 0;
      }
      System.out.printf("%s: fp16 vs fp32 logits max |diff| %.2e of max |logit| %.2f, argmax equal on %d/%d rows%n",
          f, maxDiff, maxAbs, sameArgmax, ids.length);
      // fp16 keeps 11 significant bits (2^-11 = 4.9e-4 relative); a few GEMMs of depth 64..192 stay within 1%
      assertTrue(maxDiff > 0, "fp16 weights changed nothing: the narrow path was not taken");
      assertTrue(maxDiff < 1e-2 * maxAbs, f + ": max |diff| " + maxDiff + " vs max |logit| " + maxAbs);
      assertTrue(sameArgmax >= ids.length - 2, f + ": argmax equal on only " + sameArgmax + " rows");
    }
  }

  @Test
  void narrowWeightsAreHeldNarrow() {
    Path bf16 = TestModels.model(ModelFamily.DREAM, 2, 64, TensorDType.BF16, 1);
    try (NDManager m = NDManager.newBaseManager(Device.cpu());
        ModelWeights w = ModelWeights.load(io.maskkv.worker.checkpoint.Checkpoint.open(bf16), m, 0, 2,
            DataType.FLOAT16, LoadProgress.NONE)) {
      assertEquals(DataType.FLOAT16, w.lmHead().getDataType());
      assertEquals(DataType.FLOAT16, w.layer(1).wq().getDataType());
      assertEquals(DataType.FLOAT32, w.layer(1).bq().getDataType()); // biases and norms stay fp32
      assertEquals(DataType.FLOAT32, w.finalNorm().getDataType());
    }
  }

  @Test
  void autoIsExactFp32OnCpuAndTheCheckpointsPrecisionOnCuda() {
    assertEquals(DataType.FLOAT32, WeightPrecision.AUTO.resolve(Device.cpu(), TensorDType.BF16));
    assertEquals(DataType.BFLOAT16, WeightPrecision.AUTO.resolve(Device.gpu(0), TensorDType.BF16));
    assertEquals(DataType.FLOAT16, WeightPrecision.AUTO.resolve(Device.gpu(0), TensorDType.F16));
    assertEquals(DataType.FLOAT32, WeightPrecision.AUTO.resolve(Device.gpu(0), TensorDType.F32));
  }

  @Test
  void bf16OnCpuIsRefusedInOneLine() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> WeightPrecision.parse("bf16").resolve(Device.cpu(), TensorDType.BF16));
    assertTrue(e.getMessage().startsWith("--dtype bf16 needs a CUDA device"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> WeightPrecision.parse("int4"));
  }

  @Test
  void aModelThatCannotFitIsRefusedBeforeLoading() {
    Path m = TestModels.model(ModelFamily.LLADA, 2);
    long[] reported = {0};
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ModelLoader.load(m,
        Device.cpu(), 0, 2, WeightPrecision.AUTO, 1L << 50, (t, done, total) -> reported[0] = done));
    assertTrue(e.getMessage().startsWith("model does not fit on cpu: needs 1125"), e.getMessage());
    assertEquals(0, reported[0], "no weight may be read before the refusal");
  }

  @Test
  void progressCountsEveryByteOfTheShard() {
    Path m = TestModels.model(ModelFamily.DREAM, 2);
    long[] last = {0, -1};
    try (Transformer t = ModelLoader.load(m, Device.cpu(), 1, 2, WeightPrecision.AUTO, 0,
        (tensor, done, total) -> {
          last[0] = done;
          last[1] = total;
        })) {
      assertEquals(last[1], last[0]);
      assertTrue(last[0] > 0);
    }
  }
}
