package io.maskkv.worker.kv;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.maskkv.common.budget.BudgetPlan;
import io.maskkv.common.budget.EvictionDecision;
import io.maskkv.common.budget.EvictionMethods;
import io.maskkv.common.decode.GenerationOptions;
import io.maskkv.common.decode.GenerationResult;
import io.maskkv.common.model.ModelFamily;
import io.maskkv.worker.TestModels;
import io.maskkv.worker.engine.AttentionKeys;
import io.maskkv.worker.engine.Transformer;
import io.maskkv.worker.evict.MaskVotingScorer;
import io.maskkv.worker.evict.Scores;
import io.maskkv.worker.session.Generator;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class EvictionTest {
  /** Every named method but full, then every scorer+allocator pairing: read from the registry, not listed here. */
  private static final List<String> METHODS = java.util.stream.Stream.concat(
      EvictionMethods.names().stream().filter(m -> !m.equals("full")), EvictionMethods.pairings().stream()).toList();

  private static GenerationOptions options(String cache, int budget) {
    return GenerationOptions.builder().lengths(16, 16, 8).cache(cache, budget).seed(3).earlyStop(false).build();
  }

  @ParameterizedTest
  @EnumSource(ModelFamily.class)
  void budgetAtLeastPromptKeepsTokensIdenticalToFullCache(ModelFamily family) {
    try (Transformer t = Transformer.load(TestModels.model(family, 3), Device.cpu())) {
      int[] prompt = TestModels.prompt(40, 11);
      int[] full = new Generator(t).generate(prompt, options("full", 0), e -> {}).response();
      for (String m : METHODS) {
        // budget 10x the prompt: every allocator's per-head share is clamped to the whole prompt
        int[] got = new Generator(t).generate(prompt, options(m, 400), e -> {}).response();
        assertArrayEquals(full, got, m);
      }
    }
  }

  @ParameterizedTest
  @EnumSource(ModelFamily.class)
  void budgetsAreNeverExceeded(ModelFamily family) {
    try (Transformer t = Transformer.load(TestModels.model(family, 4), Device.cpu())) {
      int[] prompt = TestModels.prompt(300, 13);
      int kvHeads = t.config().kvHeads();
      for (String m : METHODS) {
        for (int budget : new int[] {8, 32, 100}) {
          GenerationOptions o = options(m, budget);
          List<EvictionDecision> decisions = new ArrayList<>();
          try (NDManager session = t.manager().newSubManager();
              CompressedPromptCache cache = StepCaches.compressed(Generator.plan(t, o, prompt.length), t,
                  prompt.length + 16, session, decisions::add);
              NDManager step = session.newSubManager()) {
            StepPlan plan = cache.plan(prompt.length, prompt.length + 8, true);
            int[] ids = Arrays.copyOf(prompt, prompt.length + 16);
            Arrays.fill(ids, prompt.length, ids.length, t.config().maskTokenId());
            t.layers(t.embed(ids, step), java.util.stream.IntStream.range(0, ids.length).toArray(), plan.view(), null,
                step);
            assertEquals(4, decisions.size());
            int planned = Arrays.stream(BudgetPlan.of(o, new double[] {1, 1, 1, 1}, prompt.length).layerBudgets())
                .sum();
            assertTrue(planned <= 4 * budget, m + " plan " + planned);
            int total = 0;
            for (EvictionDecision d : decisions) {
              int layerKept = 0;
              for (int h = 0; h < kvHeads; h++) {
                int kept = d.keptPositions()[h].length;
                assertTrue(kept <= d.headBudgets()[h], m + " head over its allocation");
                int[] sorted = d.keptPositions()[h].clone();
                Arrays.sort(sorted);
                assertArrayEquals(sorted, d.keptPositions()[h], "kept positions ascending");
                layerKept += kept;
              }
              assertTrue(layerKept <= kvHeads * d.layerBudget(), m + " layer " + d.layer() + " over its budget");
              // a re-voting method also holds the layer's whole prompt (bytesBefore) to choose from again
              long whole = EvictionMethods.parse(m).revote() ? d.bytesBefore() : 0;
              assertTrue(d.bytesAfter() - whole < d.bytesBefore(), m);
              total += layerKept;
            }
            assertTrue(total <= kvHeads * planned, m + " total " + total + " over plan " + kvHeads * planned);
          }
        }
      }
    }
  }

  /**
   * One head, head dim 2, prompt of 5 tokens, 2 mask queries. The mask queries point along +x, prompt keys 1 and
   * 3 point along +x strongly, the rest are orthogonal; so mask-voting keeps {1, 3} at budget 2, and the
   * preference is the mask rows' attention mass on the prompt.
   */
  @Test
  void maskVotingKeepsThePromptTokensTheMaskQueriesAttendTo() {
    try (NDManager m = NDManager.newBaseManager()) {
      float big = 4f;
      // rows: 5 prompt tokens then 2 masks
      float[] keys = {0, 1, big, 0, 0, -1, big * 0.9f, 0, 0, 0.5f, 0, 0, 0, 0};
      NDArray k = m.create(keys, new Shape(1, 7, 2));
      NDArray v = m.zeros(new Shape(1, 7, 2));
      float[] queries = new float[14];
      queries[10] = 1;
      queries[12] = 1; // mask queries = (1, 0)
      NDArray q = m.create(queries, new Shape(1, 7, 2));
      Scores s = new MaskVotingScorer().score(0, io.maskkv.worker.engine.Queries.of(q), new AttentionKeys(k, v, null), 5, 1, m);
      int[] kept = io.maskkv.worker.evict.TopK.select(s.perHead()[0], 2);
      assertArrayEquals(new int[] {1, 3}, kept);
      // hand computation: logits = k_x / sqrt(2) for each key; softmax over all 7 keys; both mask rows identical
      double[] logit = {0, big, 0, big * 0.9, 0, 0, 0};
      double z = 0;
      for (double l : logit) {
        z += Math.exp(l / Math.sqrt(2));
      }
      double toPrompt = 0;
      for (int j = 0; j < 5; j++) {
        toPrompt += Math.exp(logit[j] / Math.sqrt(2)) / z;
      }
      assertEquals(2 * Math.exp(big / Math.sqrt(2)) / z, s.perHead()[0][1], 1e-5);
      assertEquals(toPrompt, s.preference()[0], 1e-5);
    }
  }

  /**
   * One head, a 40-token prompt whose token 3 every query attends to. At budget 10 the reference SnapKV keeps the
   * last 10 prompt tokens (its forced 32-token window fills the budget); snapkv-shrink force-keeps the last 5 and
   * gives the other 5 to the window's vote (token 3's max-pooled neighbourhood 0..6); at budget 64 both keep
   * the whole window.
   */
  @Test
  void snapKvShrinkForceKeepsHalfTheBudgetAndLetsTheWindowVoteForTheRest() {
    try (NDManager m = NDManager.newBaseManager()) {
      int prompt = 40;
      float[] keys = new float[(prompt + 2) * 2];
      keys[3 * 2] = 6f; // token 3 along +x; every other key is 0
      float[] queries = new float[(prompt + 2) * 2];
      for (int r = 0; r < prompt + 2; r++) {
        queries[r * 2] = 1;
      }
      NDArray k = m.create(keys, new Shape(1, prompt + 2, 2));
      NDArray v = m.zeros(new Shape(1, prompt + 2, 2));
      io.maskkv.worker.engine.Queries q = io.maskkv.worker.engine.Queries.of(m.create(queries, new Shape(1, prompt + 2, 2)));
      AttentionKeys ak = new AttentionKeys(k, v, null);
      int[] reference = io.maskkv.worker.evict.TopK.select(
          new io.maskkv.worker.evict.SnapKvScorer().score(0, q, ak, prompt, 1, 10, m).perHead()[0], 10);
      assertArrayEquals(java.util.stream.IntStream.range(30, 40).toArray(), reference);
      int[] shrunk = io.maskkv.worker.evict.TopK.select(
          new io.maskkv.worker.evict.SnapKvScorer(true).score(0, q, ak, prompt, 1, 10, m).perHead()[0], 10);
      assertEquals(10, shrunk.length);
      for (int i = 0; i < 5; i++) {
        assertTrue(shrunk[i] <= 6, "voted for token 3's neighbourhood: " + Arrays.toString(shrunk));
        assertEquals(35 + i, shrunk[5 + i], "the last 5 are forced: " + Arrays.toString(shrunk));
      }
      for (int budget : new int[] {64, 100}) {
        float[] a = new io.maskkv.worker.evict.SnapKvScorer().score(0, q, ak, prompt, 1, budget, m).perHead()[0];
        float[] b = new io.maskkv.worker.evict.SnapKvScorer(true).score(0, q, ak, prompt, 1, budget, m).perHead()[0];
        assertArrayEquals(a, b, "budget " + budget);
      }
      assertEquals("snapkv-shrink", EvictionMethods.parse("snapkv-shrink").name());
    }
  }

  @Test
  void maskKvAtBudget64OnA4kPromptHoldsAtMostFivePercentOfTheFullCache() {
    try (Transformer t = Transformer.load(TestModels.model(ModelFamily.LLADA, 2), Device.cpu())) {
      int[] prompt = TestModels.prompt(4096, 17);
      GenerationOptions full = GenerationOptions.builder().lengths(8, 8, 8).cache("full", 0).seed(1).earlyStop(false).build();
      GenerationResult f = new Generator(t).generate(prompt, full, e -> {});
      GenerationResult mk = new Generator(t).generate(prompt, full.withCache("maskkv", 64), e -> {});
      // bytes are read off the tensors the store holds (shape × dtype), not from the budget formula: the full
      // cache holds the prompt's K/V plus one row per response position, in every layer
      assertEquals(f.promptKvBytesFull() + 8L * t.config().kvBytesPerTokenPerLayer() * t.config().layers(),
          f.kvBytesFinal());
      assertTrue(mk.kvBytesFinal() <= 0.05 * f.kvBytesFinal(), mk.kvBytesFinal() + " vs " + f.kvBytesFinal());
      assertTrue(mk.kvBytesFinal() > 0);
    }
  }
}
