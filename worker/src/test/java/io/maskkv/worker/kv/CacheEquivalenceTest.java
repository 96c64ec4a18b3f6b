package io.maskkv.worker.kv;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.Device;
import io.maskkv.common.decode.GenerationOptions;
import io.maskkv.common.decode.GenerationResult;
import io.maskkv.common.decode.StepEvent;
import io.maskkv.common.model.ModelFamily;
import io.maskkv.worker.TestModels;
import io.maskkv.worker.engine.Transformer;
import io.maskkv.worker.session.Generator;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Prefix and dual caches against no cache, greedy, one token per step. In a one-layer model every cached K/V
 * is a function of its token and position only, so the caches are exact and must agree with recomputation;
 * with more layers a cached prompt K/V goes stale by design (Fast-dLLM), so only each block's first step, a
 * full forward in every mode, must agree.
 */
class CacheEquivalenceTest {

  private static List<StepEvent> run(Transformer t, int[] prompt, String cache, List<int[]> tokensOut) {
    List<StepEvent> events = new ArrayList<>();
    GenerationOptions o = GenerationOptions.builder().lengths(16, 16, 4).cache(cache, 0).seed(1).earlyStop(false).build();
    GenerationResult r = new Generator(t).generate(prompt, o, events::add);
    tokensOut.add(r.response());
    return events;
  }

  @ParameterizedTest
  @EnumSource(ModelFamily.class)
  void prefixAndDualCachesGiveExactlyTheTokensOfNoCacheInAOneLayerModel(ModelFamily family) {
    try (Transformer t = Transformer.load(TestModels.model(family, 1), Device.cpu())) {
      int[] prompt = TestModels.prompt(23, 5);
      List<int[]> tokens = new ArrayList<>();
      List<StepEvent> none = run(t, prompt, "none", tokens);
      List<StepEvent> prefix = run(t, prompt, "prefix", tokens);
      List<StepEvent> dual = run(t, prompt, "dual", tokens);
      assertArrayEquals(tokens.get(0), tokens.get(1), "prefix vs none");
      assertArrayEquals(tokens.get(0), tokens.get(2), "dual vs none");
      assertEquals(16, none.size());
      for (int s = 0; s < none.size(); s++) {
        // the committed token's probability is softmax(logits) at that row: logits agree to float precision
        assertEquals(none.get(s).committed().get(0).confidence(), prefix.get(s).committed().get(0).confidence(),
            1e-5, "step " + s);
        assertEquals(none.get(s).committed().get(0).confidence(), dual.get(s).committed().get(0).confidence(),
            1e-5, "step " + s);
      }
      // and the caches really fed fewer rows than the whole sequence after each block start
      assertEquals(prompt.length + 16, none.get(1).rowsFed());
      assertEquals(family == ModelFamily.DREAM ? 17 : 16, prefix.get(1).rowsFed());
      assertEquals(family == ModelFamily.DREAM ? 5 : 4, dual.get(1).rowsFed());
    }
  }

  @ParameterizedTest
  @EnumSource(ModelFamily.class)
  void everyBlocksFirstStepAgreesInDeeperModels(ModelFamily family) {
    try (Transformer t = Transformer.load(TestModels.model(family, 3), Device.cpu())) {
      int[] prompt = TestModels.prompt(30, 9);
      List<int[]> tokens = new ArrayList<>();
      List<StepEvent> none = run(t, prompt, "none", tokens);
      List<StepEvent> prefix = run(t, prompt, "prefix", tokens);
      List<StepEvent> dual = run(t, prompt, "dual", tokens);
      assertEquals(none.get(0).committed(), prefix.get(0).committed());
      assertEquals(none.get(0).committed(), dual.get(0).committed());
      assertEquals(prefix.size(), dual.size());
    }
  }
}
