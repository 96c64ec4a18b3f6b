package io.maskkv.worker.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import io.maskkv.common.decode.GenerationOptions;
import io.maskkv.common.decode.GenerationResult;
import io.maskkv.common.decode.Remasking;
import io.maskkv.common.decode.StepEvent;
import io.maskkv.common.model.ModelFamily;
import io.maskkv.worker.TestModels;
import io.maskkv.worker.engine.Transformer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Dream's sampler on a Dream-format model: its schedule may commit no token in a step (int() truncation, as
 * generation_utils.py), alg="origin" commits positions at random, and both still finish in exactly the given steps.
 */
class DreamAlgorithmsTest {
  private static List<StepEvent> run(GenerationOptions o) {
    List<StepEvent> events = new ArrayList<>();
    try (Transformer t = Transformer.load(TestModels.model(ModelFamily.DREAM, 2), Device.cpu())) {
      GenerationResult r = new Generator(t).generate(TestModels.prompt(24, 4), o, events::add);
      assertEquals(16, r.response().length);
      assertEquals(16, r.steps(), "Dream runs exactly its steps, zero-token ones included");
    }
    return events;
  }

  @Test
  void entropyScheduleRunsZeroTokenStepsAsDreamDoes() {
    List<StepEvent> events = run(GenerationOptions.builder().lengths(16, 16, 16).remasking(Remasking.ENTROPY)
        .cache("none", 0).earlyStop(false).build().validated());
    assertEquals(0, events.get(0).committed().size(), "16 masks x (1 - s/t) = 0.998 truncates to 0");
    assertEquals(16, events.stream().mapToInt(e -> e.committed().size()).sum());
  }

  @Test
  void originCommitsARandomNumberPerStepAndEverythingAtTheLast() {
    List<StepEvent> events = run(GenerationOptions.builder().lengths(16, 16, 16).remasking(Remasking.ORIGIN)
        .temperature(0.5).seed(11).cache("none", 0).earlyStop(false).build().validated());
    assertEquals(16, events.stream().mapToInt(e -> e.committed().size()).sum());
    assertTrue(events.stream().anyMatch(e -> e.committed().isEmpty()), "origin at p = 0.06 leaves some steps empty");
    assertFalse(events.stream().allMatch(e -> e.committed().size() == 1), "not the one-per-step of a top-k");
  }
}
