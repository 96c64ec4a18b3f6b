package io.maskkv.worker.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.maskkv.common.model.ModelFamily;
import io.maskkv.worker.TestModels;
import org.junit.jupiter.api.Test;

/** Small hand-computable cases for the pieces of the forward pass. */
class EngineMathTest {

  @Test
  void rmsNormDividesByRootMeanSquareThenScales() {
    try (Transformer t = Transformer.load(TestModels.model(ModelFamily.LLADA, 1), ai.djl.Device.cpu());
        NDManager m = t.manager().newSubManager()) {
      // x = [3, 4]: mean square = 12.5, rms = sqrt(12.5 + 1e-5); weight [2, 0.5]
      NDArray x = m.create(new float[] {3, 4}, new Shape(1, 2));
      NDArray w = m.create(new float[] {2, 0.5f});
      float[] y = new TransformerBlock(t.config()).rmsNorm(x, w).toFloatArray();
      double rms = Math.sqrt(12.5 + 1e-5);
      assertEquals(2 * 3 / rms, y[0], 1e-6);
      assertEquals(0.5 * 4 / rms, y[1], 1e-6);
    }
  }

  @Test
  void ropeRotatesHalvesByPositionTimesInverseFrequency() {
    try (NDManager m = NDManager.newBaseManager()) {
      // head dim 4, theta 100: inv_freq = [1, 1/10]; position 2 gives angles [2, 0.2]
      Rope rope = new Rope(4, 100);
      NDArray t = m.create(new float[] {1, 2, 3, 4}, new Shape(1, 1, 4));
      float[] out = rope.apply(t, rope.tables(new int[] {2}, m)).toFloatArray();
      double c0 = Math.cos(2);
      double s0 = Math.sin(2);
      double c1 = Math.cos(0.2);
      double s1 = Math.sin(0.2);
      // out = t*cos + rotate_half(t)*sin, rotate_half([1,2,3,4]) = [-3,-4,1,2]
      assertArrayEquals(new float[] {(float) (1 * c0 - 3 * s0), (float) (2 * c1 - 4 * s1),
          (float) (3 * c0 + 1 * s0), (float) (4 * c1 + 2 * s1)}, out, 1e-6f);
      // position 0 is the identity
      assertArrayEquals(new float[] {1, 2, 3, 4}, rope.apply(t, rope.tables(new int[] {0}, m)).toFloatArray(), 0f);
    }
  }

  @Test
  void chunkedAttentionEqualsUnchunkedIncludingGqaAndMask() {
    try (NDManager m = NDManager.newBaseManager()) {
      // 4 query heads over 2 KV heads, 37 queries, 50 keys, a padding mask on KV head 1
      NDArray q = m.randomNormal(new Shape(4, 37, 8));
      NDArray k = m.randomNormal(new Shape(2, 50, 8));
      NDArray v = m.randomNormal(new Shape(2, 50, 8));
      float[] mask = new float[100];
      for (int j = 40; j < 50; j++) {
        mask[50 + j] = Attention.MASKED;
      }
      AttentionKeys keys = new AttentionKeys(k, v, m.create(mask, new Shape(2, 1, 50)));
      float[] whole = Attention.attend(q, keys, 2, Long.MAX_VALUE).toFloatArray();
      float[] chunked = Attention.attend(q, keys, 2, 4 * 50 * 3).toFloatArray(); // 3 rows per chunk
      assertArrayEquals(whole, chunked, 1e-6f);
      // and the masked keys really get no weight: the same as dropping them for KV head 1
      NDArray k1 = k.get("1:2, 0:40, :");
      NDArray v1 = v.get("1:2, 0:40, :");
      float[] dropped = Attention.attend(q.get("2:4, :, :"), new AttentionKeys(k1, v1, null), 1).toFloatArray();
      float[] fromMasked = m.create(whole, new Shape(37, 32)).get(":, 16:32").toFloatArray();
      assertArrayEquals(dropped, fromMasked, 1e-6f);
    }
  }

  @Test
  void streamedLayersEqualWholeLayers() {
    try (Transformer t = Transformer.load(TestModels.model(ModelFamily.DREAM, 2), ai.djl.Device.cpu());
        NDManager m = t.manager().newSubManager()) {
      int[] ids = TestModels.prompt(300, 41);
      long savedStream = Transformer.streamRows;
      long savedChunk = Transformer.chunkRows;
      try {
        Transformer.streamRows = 1L << 30;
        float[] whole = Forward.logitsAllRows(t, ids, m);
        Transformer.streamRows = 100;
        Transformer.chunkRows = 64; // 300 rows in 5 chunks, the last one short
        float[] streamed = Forward.logitsAllRows(t, ids, m);
        assertArrayEquals(whole, streamed, 1e-5f);
      } finally {
        Transformer.streamRows = savedStream;
        Transformer.chunkRows = savedChunk;
      }
    }
  }
}
