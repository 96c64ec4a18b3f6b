package io.maskkv.bench.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDManager;
import io.maskkv.common.model.ModelConfig;
import io.maskkv.common.model.ModelFamily;
import io.maskkv.common.model.ModelShapes;
import io.maskkv.worker.checkpoint.TensorNames;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The prior's wiring: a private channel from layer 0's offset −2 head to layer 1's head 0, and nothing else. */
class BindingPriorTest {
  private final ModelConfig c = ModelShapes.small(ModelFamily.LLADA, 2, 128, 4, 4, 612, 384);
  private final TensorNames n = TensorNames.of(ModelFamily.LLADA);

  @Test
  void theCopyHeadWritesOnlyTheReservedDimensionsAndLayerOneHeadZeroReadsOnlyThem() {
    int d = c.hiddenSize();
    int hd = c.headDim();
    int base = d - BindingPrior.reservedDims(c);
    try (NDManager m = NDManager.newBaseManager()) {
      TrainableModel model = new TrainableModel(c, m, 5, List.of(-1, -2, -3), true, false);
      float[] emb = model.params.get(n.embedding()).toFloatArray();
      for (int row = 0; row < c.vocabSize(); row++) {
        for (int i = base; i < d; i++) {
          assertEquals(0f, emb[row * d + i], "embedding " + row + " dim " + i);
        }
      }
      float[] wo = model.params.get(n.attnOut(0)).toFloatArray();
      int copyHead = 1; // offset -2 is the second listed
      for (int i = 0; i < hd; i++) {
        for (int col = 0; col < d; col++) {
          assertEquals(col == base + i ? 1f : 0f, wo[(copyHead * hd + i) * d + col], "W_o row " + i + " col " + col);
        }
      }
      float[] q = model.params.get(n.q(1)).toFloatArray();
      float[] k = model.params.get(n.k(1)).toFloatArray();
      int nonZero = 0;
      for (int in = 0; in < d; in++) {
        for (int col = 0; col < hd; col++) {
          float qv = q[in * d + col];
          assertEquals(qv, k[in * d + col], "query and key maps are one map");
          if (in < base) {
            assertEquals(0f, qv, "head 0 of layer 1 reads input dim " + in);
          }
          nonZero += qv != 0 ? 1 : 0;
        }
      }
      assertEquals(BindingPrior.reservedDims(c) * 2 * BindingPrior.SLOW_PAIRS, nonZero);
    }
  }

  @Test
  void itNeedsAnOffsetMinusTwoHead() {
    try (NDManager m = NDManager.newBaseManager()) {
      assertThrows(IllegalArgumentException.class, () -> new TrainableModel(c, m, 5, List.of(-1), true, false));
    }
  }
}
