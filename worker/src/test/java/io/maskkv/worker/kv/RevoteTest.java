package io.maskkv.worker.kv;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import io.maskkv.common.budget.EvictionDecision;
import io.maskkv.common.budget.EvictionMethod;
import io.maskkv.common.budget.EvictionMethods;
import io.maskkv.common.budget.ScorerKind;
import io.maskkv.common.decode.GenerationOptions;
import io.maskkv.common.decode.GenerationResult;
import io.maskkv.common.decode.Refresh;
import io.maskkv.common.model.ModelFamily;
import io.maskkv.worker.TestModels;
import io.maskkv.worker.engine.Transformer;
import io.maskkv.worker.evict.Scorers;
import io.maskkv.worker.session.Generator;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** maskkv-revote: the prompt chosen again at each step, within the same budgets, from the whole prompt. */
class RevoteTest {
  private static final int PROMPT = 120;
  private static final int GEN = 16;

  private static GenerationResult generate(Transformer t, String method, int block, Refresh refresh,
      List<EvictionDecision> out) {
    GenerationOptions o = GenerationOptions.builder().lengths(GEN, GEN, block).cache(method, 8).refresh(refresh)
        .seed(5).earlyStop(false).build();
    return new Generator(t).generate(TestModels.prompt(PROMPT, 9), o, e -> {}, out::add);
  }

  /**
   * Under the dual response cache only a block's first step feeds every row, so only block starts vote again; with
   * one block there is none after the first step: the same choice, the same tokens, plus the prompt kept aside.
   */
  @ParameterizedTest
  @EnumSource(ModelFamily.class)
  void withOneDualBlockItIsMaskKvHoldingTheWholePromptBeside(ModelFamily family) {
    try (Transformer t = Transformer.load(TestModels.model(family, 3), Device.cpu())) {
      List<EvictionDecision> once = new ArrayList<>();
      List<EvictionDecision> revote = new ArrayList<>();
      GenerationResult a = generate(t, "maskkv", GEN, Refresh.DUAL, once);
      GenerationResult b = generate(t, "maskkv-revote", GEN, Refresh.DUAL, revote);
      assertArrayEquals(a.response(), b.response());
      assertEquals(3, revote.size(), "one choice per layer");
      for (int i = 0; i < 3; i++) {
        assertArrayEquals(once.get(i).keptPositions(), revote.get(i).keptPositions());
      }
      long whole = 3L * PROMPT * t.config().kvBytesPerTokenPerLayer();
      assertEquals(a.kvBytesFinal() + whole, b.kvBytesFinal());
    }
  }

  /**
   * Sixteen steps: a choice per layer at every step (at every block's start under the dual cache), each within the
   * layer's budget as eq. 15 splits it, the later ones different, and never more held than admission reserved.
   */
  @ParameterizedTest
  @EnumSource(ModelFamily.class)
  void everyStepChoosesAgainWithinTheSameBudgets(ModelFamily family) {
    try (Transformer t = Transformer.load(TestModels.model(family, 3), Device.cpu())) {
      List<EvictionDecision> dual = new ArrayList<>();
      generate(t, "maskkv-revote", 4, Refresh.DUAL, dual);
      assertEquals(12, dual.size(), "3 layers x 4 block starts");
      List<EvictionDecision> decisions = new ArrayList<>();
      GenerationResult r = generate(t, "maskkv-revote", 4, Refresh.NONE, decisions);
      assertEquals(48, decisions.size(), "3 layers x 16 steps");
      boolean changed = false;
      for (EvictionDecision d : decisions) {
        EvictionDecision first = decisions.get(d.layer());
        assertEquals(first.layerBudget(), d.layerBudget());
        int heads = d.headBudgets().length;
        int sum = Arrays.stream(d.headBudgets()).sum();
        // eq. 15 floors each head's share: a layer keeps k_l per head, less under one position per head
        assertTrue(sum <= heads * d.layerBudget() && sum > heads * (d.layerBudget() - 1),
            "layer " + d.layer() + " keeps " + sum + " of " + heads + " x " + d.layerBudget());
        for (int h = 0; h < heads; h++) {
          int[] kept = d.keptPositions()[h];
          assertEquals(d.headBudgets()[h], kept.length, "head " + h + " keeps its budget");
          assertTrue(Arrays.stream(kept).allMatch(p -> p >= 0 && p < PROMPT), "prompt positions only");
        }
        changed |= !Arrays.deepEquals(first.keptPositions(), d.keptPositions());
      }
      assertTrue(changed, "the answer so far changes some layer's vote");
      GenerationOptions o = GenerationOptions.builder().lengths(GEN, GEN, 4).cache("maskkv-revote", 8).build();
      long reserved = Generator.plan(t, o, PROMPT).reserveBytes(t.config(), 0, 3);
      assertTrue(r.kvBytesPeak() <= reserved, r.kvBytesPeak() + " held, " + reserved + " reserved");
      assertTrue(r.kvBytesPeak() > reserved - 3L * 2 * t.config().kvBytesPerTokenPerLayer(),
          "the reservation is the whole prompt, the plan and the response rows, less eq. 15's floors");
    }
  }

  /**
   * A scorer blind to the queries (StreamingLLM's sinks and recent window) chooses the same positions at every
   * step; regathered from the prompt kept aside, they must give the same hidden states, step by step, as the
   * positions kept once.
   */
  @ParameterizedTest
  @EnumSource(ModelFamily.class)
  void aQueryBlindReVoteRegathersExactlyWhatWasKept(ModelFamily family) {
    try (Transformer t = Transformer.load(TestModels.model(family, 3), Device.cpu());
        NDManager session = t.manager().newSubManager()) {
      EvictionMethod streaming = EvictionMethods.parse("streamingllm");
      EvictionMethod again = new EvictionMethod("streamingllm-revote", ScorerKind.STREAMING, streaming.allocator(),
          true);
      List<EvictionDecision> decisions = new ArrayList<>();
      int[] budgets = {10, 7, 12};
      int shift = t.config().shiftedLogits() ? 1 : 0;
      int[] ids = Arrays.copyOf(TestModels.prompt(PROMPT, 4), PROMPT + GEN);
      Arrays.fill(ids, PROMPT, ids.length, t.config().maskTokenId());
      try (CompressedPromptCache once = new CompressedPromptCache(streaming, Scorers.of(ScorerKind.STREAMING, 1),
              budgets, PROMPT, PROMPT + GEN, shift, t.config().kvHeads(), 0, 3, session, d -> {});
          CompressedPromptCache revote = new CompressedPromptCache(again, Scorers.of(ScorerKind.STREAMING, 1),
              budgets, PROMPT, PROMPT + GEN, shift, t.config().kvHeads(), 0, 3, session, decisions::add)) {
        int[][] steps = {{PROMPT, PROMPT + 8, 1}, {PROMPT, PROMPT + 8, 0}, {PROMPT + 8, PROMPT + GEN, 1},
            {PROMPT + 8, PROMPT + GEN, 0}};
        for (int[] s : steps) {
          ids[s[0]] = 7 + s[0] % 5; // the answer so far: one more decoded token per step
          float[] a = step(t, once.plan(s[0], s[1], s[2] == 1), ids, session);
          float[] b = step(t, revote.plan(s[0], s[1], s[2] == 1), ids, session);
          assertArrayEquals(a, b, 1e-5f, "block " + s[0] + (s[2] == 1 ? " first step" : ""));
        }
        assertEquals(12, decisions.size(), "the first step and each later one");
        for (EvictionDecision d : decisions) {
          assertArrayEquals(decisions.get(d.layer()).keptPositions(), d.keptPositions());
        }
        assertEquals(once.bytes() + 3L * PROMPT * t.config().kvBytesPerTokenPerLayer(), revote.bytes());
      }
      assertEquals(0, session.getManagedArrays().size(), "closing gives back the prompt kept aside too");
    }
  }

  private static float[] step(Transformer t, StepPlan plan, int[] ids, NDManager session) {
    try (NDManager step = session.newSubManager()) {
      int[] fed = Arrays.copyOfRange(ids, plan.positions()[0], plan.positions()[0] + plan.rows());
      return t.layers(t.embed(fed, step), plan.positions(), plan.view(), null, step).toFloatArray();
    }
  }
}
