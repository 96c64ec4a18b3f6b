package io.maskkv.worker.kv;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import io.maskkv.common.decode.GenerationOptions;
import io.maskkv.common.decode.GenerationResult;
import io.maskkv.common.decode.Refresh;
import io.maskkv.common.model.ModelFamily;
import io.maskkv.worker.TestModels;
import io.maskkv.worker.engine.Transformer;
import io.maskkv.worker.session.Generator;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Elastic-Cache, response-side dual refresh and threshold decoding against their exact references. */
class RefreshPolicyTest {

  private static GenerationOptions greedy(String cache, int budget, int gen, int steps, int block) {
    return GenerationOptions.builder().lengths(gen, steps, block).cache(cache, budget).seed(1).earlyStop(false).build();
  }

  private static GenerationResult run(Transformer t, int[] prompt, GenerationOptions o) {
    return new Generator(t).generate(prompt, o, e -> {});
  }

  @ParameterizedTest
  @EnumSource(ModelFamily.class)
  void elasticWithGammaOneRefreshesEverythingAndEqualsNoCache(ModelFamily family) {
    try (Transformer t = Transformer.load(TestModels.model(family, 3), Device.cpu())) {
      int[] prompt = TestModels.prompt(30, 21);
      GenerationOptions none = greedy("none", 0, 16, 16, 16);
      GenerationResult reference = run(t, prompt, none);
      GenerationResult elastic = run(t, prompt, none.withRefresh(Refresh.parse("elastic"), 1.0, 16)); // window = block
      assertArrayEquals(reference.response(), elastic.response());
      assertEquals(1.0, elastic.cacheUpdateFrequency(), 1e-12);
    }
  }

  @ParameterizedTest
  @EnumSource(ModelFamily.class)
  void elasticReusesLayersWhenAttentionDoesNotDrift(ModelFamily family) {
    try (Transformer t = Transformer.load(TestModels.model(family, 3), Device.cpu())) {
      int[] prompt = TestModels.prompt(30, 22);
      // γ = 0 never triggers: every step after the first reuses every layer
      GenerationResult r = run(t, prompt, greedy("none", 0, 16, 16, 16).withRefresh(Refresh.parse("elastic"), 0.0, 4));
      assertEquals(3, r.layerStepsRecomputed()); // the first step only
      assertEquals(16 * 3, r.layerSteps());
      assertEquals(16, r.response().length);
    }
  }

  @ParameterizedTest
  @EnumSource(ModelFamily.class)
  void thresholdOneEqualsOneTokenPerStep(ModelFamily family) {
    try (Transformer t = Transformer.load(TestModels.model(family, 2), Device.cpu())) {
      int[] prompt = TestModels.prompt(25, 23);
      GenerationResult single = run(t, prompt, greedy("prefix", 0, 16, 16, 8));
      // with threshold 1.0 only the top-1 (which is always taken) ever passes; steps are adaptive
      GenerationResult parallel = run(t, prompt, greedy("prefix", 0, 16, 2, 8).withThreshold(1.0));
      assertArrayEquals(single.response(), parallel.response());
      assertEquals(16, parallel.steps());
      GenerationResult loose = run(t, prompt, greedy("prefix", 0, 16, 2, 8).withThreshold(0.01));
      assertTrue(loose.steps() < 16, "a low threshold commits several tokens per step: " + loose.steps());
    }
  }

  @ParameterizedTest
  @EnumSource(ModelFamily.class)
  void elasticOnMaskKvWithBudgetPastThePromptEqualsElasticOnTheFullPrompt(ModelFamily family) {
    try (Transformer t = Transformer.load(TestModels.model(family, 3), Device.cpu())) {
      int[] prompt = TestModels.prompt(40, 24);
      GenerationOptions full = greedy("full", 0, 16, 16, 16).withRefresh(Refresh.parse("elastic"), 0.9, 4);
      GenerationOptions maskkv = greedy("maskkv", 100, 16, 16, 16).withRefresh(Refresh.parse("elastic"), 0.9, 4);
      assertArrayEquals(run(t, prompt, full).response(), run(t, prompt, maskkv).response());
    }
  }

  @ParameterizedTest
  @EnumSource(ModelFamily.class)
  void responseDualRefreshOnAOneLayerModelEqualsRecomputingTheResponse(ModelFamily family) {
    try (Transformer t = Transformer.load(TestModels.model(family, 1), Device.cpu())) {
      int[] prompt = TestModels.prompt(30, 25);
      GenerationOptions none = greedy("maskkv", 8, 16, 16, 4);
      GenerationResult a = run(t, prompt, none);
      GenerationResult b = run(t, prompt, none.withRefresh(Refresh.parse("dual"), 0.9, 16));
      assertArrayEquals(a.response(), b.response());
      assertTrue(b.cacheUpdateFrequency() < a.cacheUpdateFrequency());
    }
  }

  @ParameterizedTest
  @EnumSource(ModelFamily.class)
  void refreshPoliciesNeedAPromptCache(ModelFamily family) {
    GenerationOptions o = greedy("prefix", 0, 16, 16, 16).withRefresh(Refresh.parse("elastic"), 0.9, 4);
    assertThrows(IllegalArgumentException.class, o::validated);
    assertThrows(IllegalArgumentException.class, () -> greedy("none", 0, 16, 16, 16).withRefresh(Refresh.parse("dual"), 0.9, 4)
        .validated());
    assertThrows(IllegalArgumentException.class, () -> greedy("full", 0, 16, 16, 16).withRefresh(Refresh.parse("bogus"), 0.9, 4)
        .validated());
  }
}
