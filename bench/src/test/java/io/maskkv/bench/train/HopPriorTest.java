package io.maskkv.bench.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import io.maskkv.common.model.ModelConfig;
import io.maskkv.common.model.ModelFamily;
import io.maskkv.common.model.ModelShapes;
import io.maskkv.worker.checkpoint.TensorNames;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The hop prior's wiring: a middle layer's hop head asks, from a token's own embedding, for exactly the key that
 * the reserved copy of that token produces, so "x3" in "x9 = x3" matches the statement where x3 is two back.
 */
class HopPriorTest {
  private final ModelConfig c = ModelShapes.small(ModelFamily.LLADA, 4, 128, 4, 4, 612, 384);
  private final TensorNames n = TensorNames.of(ModelFamily.LLADA);
  private static final int COPY_HEAD = 1; // offset -2 is the second listed

  @Test
  void aHopHeadsQueryForATokenIsTheKeyOfThatTokensReservedCopy() {
    int d = c.hiddenSize();
    int hd = c.headDim();
    int base = d - BindingPrior.reservedDims(c);
    try (NDManager m = NDManager.newBaseManager()) {
      TrainableModel model = new TrainableModel(c, m, 5, List.of(-1, -2, -3), true, true);
      float[] emb = model.params.get(n.embedding()).toFloatArray();
      float[] v0 = model.params.get(n.v(0)).toFloatArray();
      for (int layer = 1; layer <= 2; layer++) {
        float[] q = model.params.get(n.q(layer)).toFloatArray();
        float[] k = model.params.get(n.k(layer)).toFloatArray();
        for (int token : new int[] {3, 77, 400}) {
          float[] own = new float[d]; // the token's embedding, as a position holding it offers it
          System.arraycopy(emb, token * d, own, 0, d);
          float[] copy = new float[d]; // what layer 0's copy head writes two places later
          for (int i = 0; i < hd; i++) {
            for (int in = 0; in < d; in++) {
              copy[base + i] += own[in] * v0[in * d + COPY_HEAD * hd + i];
            }
          }
          float[] asked = head(q, own, HopPrior.HOP_HEAD, d, hd);
          float[] offered = head(k, copy, HopPrior.HOP_HEAD, d, hd);
          assertTrue(norm(asked) > 1, "the hop query is not empty");
          for (int i = 0; i < hd; i++) {
            assertEquals(offered[i], asked[i], 1e-3 * norm(asked), "layer " + layer + " token " + token + " col " + i);
          }
          assertEquals(0, norm(head(q, copy, HopPrior.HOP_HEAD, d, hd)), 1e-6, "the query ignores the reserved copy");
          assertEquals(0, norm(head(k, own, HopPrior.HOP_HEAD, d, hd)), 1e-6, "the key ignores the embedding");
        }
      }
      // layer 3 is the last: no hop head left random-free, but head 0 is a binding match (query = key, reserved only)
      float[] q3 = model.params.get(n.q(3)).toFloatArray();
      float[] k3 = model.params.get(n.k(3)).toFloatArray();
      float[] anyEmbedding = new float[d];
      System.arraycopy(emb, 9 * d, anyEmbedding, 0, d);
      assertEquals(0, norm(head(q3, anyEmbedding, 0, d, hd)), 1e-6);
      float[] reserved = new float[d];
      reserved[base] = 1;
      reserved[d - 1] = -2;
      assertArrayEquals(head(q3, reserved, 0, d, hd), head(k3, reserved, 0, d, hd));
      assertTrue(norm(head(q3, reserved, 0, d, hd)) > 0);
    }
  }

  @Test
  void itBuildsOnTheBindingPriorAndNeedsRoomForAHop() {
    assertThrows(IllegalArgumentException.class, () -> new TrainConfig(4, 128, 4, 384, "vartrack", 128, 2, 8, 1e-3,
        10, 1, List.of(-1, -2), 1, false, TrainConfig.Objective.ANSWER, 0, 0, 0, 0, 0, true));
    ModelConfig shallow = ModelShapes.small(ModelFamily.LLADA, 2, 128, 4, 4, 612, 384);
    try (NDManager m = NDManager.newBaseManager()) {
      assertThrows(IllegalArgumentException.class,
          () -> new TrainableModel(shallow, m, 5, List.of(-1, -2, -3), true, true));
    }
  }

  /** Training moves everything except the hop heads' query and key and the copy head's value. */
  @Test
  void trainingKeepsTheHopCircuitFixedAndMovesTheRest() {
    TrainConfig cfg = new TrainConfig(3, 64, 2, 128, "vartrack-1hop", 40, 2, 4, 1e-2, 1, 3, List.of(-1, -2), 1,
        true, TrainConfig.Objective.ANSWER, 0, 0, 0, 0, 0, true);
    try (Trainer t = new Trainer(cfg)) {
      Map<String, float[]> before = new java.util.HashMap<>();
      t.parameters().forEach((name, p) -> before.put(name, p.toFloatArray()));
      t.trainStep();
      t.trainStep();
      int d = 64;
      int hd = 32;
      float[] q1 = t.parameters().get(n.q(1)).toFloatArray();
      float[] v0 = t.parameters().get(n.v(0)).toFloatArray();
      int hopMoved = 0;
      int otherMoved = 0;
      int copyMoved = 0;
      for (int in = 0; in < d; in++) {
        for (int col = 0; col < d; col++) {
          boolean hop = col / hd == HopPrior.HOP_HEAD;
          boolean moved = q1[in * d + col] != before.get(n.q(1))[in * d + col];
          hopMoved += hop && moved ? 1 : 0;
          otherMoved += !hop && moved ? 1 : 0;
          copyMoved += col / hd == COPY_HEAD && v0[in * d + col] != before.get(n.v(0))[in * d + col] ? 1 : 0;
        }
      }
      assertEquals(0, hopMoved, "hop head query elements that moved");
      assertEquals(0, copyMoved, "copy head value elements that moved");
      assertTrue(otherMoved > d * hd / 4, "head 0's query trains: " + otherMoved);
      assertTrue(!Arrays.equals(before.get(n.k(2)), t.parameters().get(n.k(2)).toFloatArray()), "the last layer trains");
    }
  }

  /** Head {@code h}'s slice of {@code x·W} for a {@code [in = d, out = d]} projection. */
  private static float[] head(float[] w, float[] x, int h, int d, int hd) {
    float[] out = new float[hd];
    for (int in = 0; in < d; in++) {
      if (x[in] != 0) {
        for (int i = 0; i < hd; i++) {
          out[i] += x[in] * w[in * d + h * hd + i];
        }
      }
    }
    return out;
  }

  private static double norm(float[] v) {
    double s = 0;
    for (float f : v) {
      s += f * f;
    }
    return Math.sqrt(s);
  }
}
