package io.maskkv.worker.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import io.maskkv.common.io.Npy;
import io.maskkv.worker.Fixtures;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Our fp32 forward against logits computed by an independent float64 reference implementation. */
class ReferenceLogitsTest {

  @ParameterizedTest
  @ValueSource(strings = {"llada-tiny", "dream-tiny"})
  void noCacheForwardMatchesIndependentReferenceWithin1e4(String fixture) throws Exception {
    Path dir = Fixtures.dir(fixture);
    int[] ids = Fixtures.ids(fixture);
    Npy.Array expected = Npy.read(dir.resolve("expected_logits.npy"));
    try (Transformer model = Transformer.load(dir, Device.cpu());
        NDManager step = model.manager().newSubManager()) {
      float[] got = Forward.logitsAllRows(model, ids, step);
      assertArrayEquals(expected.shape(), new long[] {ids.length, model.config().vocabSize()});
      float maxDiff = 0;
      for (int i = 0; i < got.length; i++) {
        maxDiff = Math.max(maxDiff, Math.abs(got[i] - expected.data()[i]));
      }
      assertTrue(maxDiff < 1e-4, fixture + ": max |diff| = " + maxDiff);
    }
  }
}
