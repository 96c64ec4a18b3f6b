package io.maskkv.worker.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import io.maskkv.common.decode.GenerationOptions;
import io.maskkv.common.decode.GenerationResult;
import io.maskkv.common.model.ModelFamily;
import io.maskkv.worker.TestModels;
import io.maskkv.worker.session.Generator;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class MaskTokenTest {
  /** This prompt made the random Dream model predict the mask token itself, which used to loop forever. */
  @Test
  void theMaskTokenIsNeverCommittedSoGenerationAlwaysEnds() {
    try (Transformer t = Transformer.load(TestModels.model(ModelFamily.DREAM, 3), Device.cpu())) {
      GenerationOptions o = GenerationOptions.builder().lengths(16, 16, 8).cache("maskkv", 8).seed(1).earlyStop(false).build();
      GenerationResult r = new Generator(t).generate(TestModels.prompt(40, 4), o, e -> {});
      assertEquals(16, r.steps());
      assertTrue(Arrays.stream(r.response()).noneMatch(x -> x == t.config().maskTokenId()));
    }
  }
}
