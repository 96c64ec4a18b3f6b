package io.maskkv.common.budget;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.maskkv.common.decode.GenerationOptions;
import io.maskkv.common.decode.Refresh;
import io.maskkv.common.model.ModelConfig;
import io.maskkv.common.model.ModelFamily;
import io.maskkv.common.model.ModelShapes;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The budget plan and the KV bytes it reserves, for every cache mode and refresh policy. */
class BudgetPlanTest {
  // 4 layers, d 64, 4 heads, 2 KV heads: one position in one layer is 2 (K, V) x 2 x 16 x 4 bytes = 256 bytes
  private static final ModelConfig DREAM = ModelShapes.small(ModelFamily.DREAM, 4, 64, 4, 2, 256);
  private static final double[] PROFILE = {0.3, 0.02, 0.02, 0.25};
  private static final int PROMPT = 1000;
  private static final int GEN = 32;
  private static final long PER_POSITION = 256;

  private static GenerationOptions options(String method, int budget, Refresh refresh) {
    return GenerationOptions.builder().genLength(GEN).cache(method, budget).refresh(refresh).build().validated();
  }

  @Test
  void perPositionCostIsTwoKvRowsOfFp32() {
    assertEquals(PER_POSITION, DREAM.kvBytesPerTokenPerLayer());
  }

  @Test
  void cachesThatDoNotEvictHaveNoLayerBudgets() {
    for (String mode : new String[] {"none", "prefix", "dual"}) {
      BudgetPlan p = BudgetPlan.of(options(mode, 8, Refresh.NONE), PROFILE, PROMPT);
      assertFalse(p.evicts(), mode);
      assertEquals(0, p.layerBudgets().length, mode);
    }
  }

  @Test
  void noneReservesNothingButElasticOverNoneHoldsEveryPosition() {
    assertEquals(0, BudgetPlan.of(options("none", 8, Refresh.NONE), PROFILE, PROMPT).reserveBytes(DREAM, 0, 4));
    assertEquals(4L * (PROMPT + GEN) * PER_POSITION,
        BudgetPlan.of(options("none", 8, Refresh.ELASTIC), PROFILE, PROMPT).reserveBytes(DREAM, 0, 4));
  }

  @Test
  void prefixAndDualReserveEveryPositionOfTheShardsLayers() {
    for (String mode : new String[] {"prefix", "dual"}) {
      BudgetPlan p = BudgetPlan.of(options(mode, 8, Refresh.NONE), PROFILE, PROMPT);
      assertEquals(4L * (PROMPT + GEN) * PER_POSITION, p.reserveBytes(DREAM, 0, 4), mode);
      assertEquals(1L * (PROMPT + GEN) * PER_POSITION, p.reserveBytes(DREAM, 3, 4), mode + " one-layer shard");
    }
  }

  @Test
  void fullKeepsThePromptInEveryLayer() {
    BudgetPlan p = BudgetPlan.of(options("full", 0, Refresh.NONE), PROFILE, PROMPT);
    assertArrayEquals(new int[] {PROMPT, PROMPT, PROMPT, PROMPT}, p.layerBudgets());
    assertEquals(4L * (PROMPT + GEN) * PER_POSITION, p.reserveBytes(DREAM, 0, 4));
  }

  @Test
  void everyEvictionMethodPlansWithinItsBudgetAndReservesItsPlanPlusTheResponse() {
    for (String method : EvictionMethods.names()) {
      if (method.equals("full")) {
        continue;
      }
      boolean revote = EvictionMethods.parse(method).revote();
      for (Refresh refresh : Refresh.values()) {
        if (revote && refresh == Refresh.ELASTIC) {
          continue; // refused: aReVotingMethodReservesTheWholePromptToChooseFromAndRefusesElastic
        }
        BudgetPlan p = BudgetPlan.of(options(method, 16, refresh), PROFILE, PROMPT);
        int[] k = p.layerBudgets();
        assertEquals(4, k.length, method);
        assertTrue(Arrays.stream(k).sum() <= 4 * 16, method + " plans " + Arrays.toString(k));
        long expected = 0;
        for (int l = 1; l < 3; l++) {
          expected += (k[l] + (long) GEN + (revote ? PROMPT : 0)) * PER_POSITION;
        }
        assertEquals(expected, p.reserveBytes(DREAM, 1, 3), method + "/" + refresh + " on layers 1..2");
      }
    }
  }

  @Test
  void aReVotingMethodReservesTheWholePromptToChooseFromAndRefusesElastic() {
    BudgetPlan once = BudgetPlan.of(options("maskkv", 16, Refresh.NONE), PROFILE, PROMPT);
    BudgetPlan revote = BudgetPlan.of(options("maskkv-revote", 16, Refresh.NONE), PROFILE, PROMPT);
    assertArrayEquals(once.layerBudgets(), revote.layerBudgets(), "the same k_l, chosen again per step");
    assertEquals(once.reserveBytes(DREAM, 0, 4) + 4L * PROMPT * PER_POSITION, revote.reserveBytes(DREAM, 0, 4));
    BudgetPlan past = BudgetPlan.of(options("maskkv-revote", 5000, Refresh.NONE), PROFILE, PROMPT);
    assertEquals(4L * (PROMPT + GEN) * PER_POSITION, past.reserveBytes(DREAM, 0, 4),
        "a layer that keeps everything has nothing to choose again");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> BudgetPlan.of(options("maskkv-revote", 16, Refresh.ELASTIC), PROFILE, PROMPT));
    assertTrue(e.getMessage().contains("does not combine with refresh 'elastic'"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> BudgetPlan.received(
        options("maskkv-revote", 16, Refresh.ELASTIC), PROMPT, revote.layerBudgets(), 4));
  }

  @Test
  void maskKvGivesTheBoundaryLayersMore() {
    int[] k = BudgetPlan.of(options("maskkv", 16, Refresh.NONE), PROFILE, PROMPT).layerBudgets();
    assertTrue(k[0] > k[1] && k[3] > k[2], Arrays.toString(k));
  }

  @Test
  void aBudgetPastThePromptKeepsEverything() {
    BudgetPlan p = BudgetPlan.of(options("snapkv", 5000, Refresh.NONE), PROFILE, PROMPT);
    assertArrayEquals(new int[] {PROMPT, PROMPT, PROMPT, PROMPT}, p.layerBudgets());
  }

  @Test
  void aReceivedPlanIsCheckedNotRecomputed() {
    GenerationOptions o = options("maskkv", 16, Refresh.NONE);
    BudgetPlan sent = BudgetPlan.of(o, PROFILE, PROMPT);
    assertEquals(sent, BudgetPlan.received(o, PROMPT, sent.layerBudgets(), 4));
    assertArrayEquals(new int[] {7, 7, 7, 7}, BudgetPlan.received(o, PROMPT, new int[] {7, 7, 7, 7}, 4)
        .layerBudgets());
    assertThrows(IllegalArgumentException.class, () -> BudgetPlan.received(o, PROMPT, new int[0], 4));
    assertThrows(IllegalArgumentException.class, () -> BudgetPlan.received(o, PROMPT, new int[] {1, 2, 3}, 4));
    assertThrows(IllegalArgumentException.class, () -> BudgetPlan.received(o, PROMPT, new int[] {1, 2, -3, 4}, 4));
    assertThrows(IllegalArgumentException.class,
        () -> BudgetPlan.received(options("prefix", 16, Refresh.NONE), PROMPT, new int[] {1, 2, 3, 4}, 4));
  }
}
