package io.maskkv.common.budget;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class BudgetAllocationTest {

  /** MaskKV eq. 9–13 by hand: D = 32, B = 256, β = 0.4, I(first) = 0.30, I(last) = 0.25, middle 0.02. */
  @Test
  void maskKvLayerSplitReproducesTheWorkedExample() {
    double[] profile = new double[32];
    Arrays.fill(profile, 0.02);
    profile[0] = 0.30;
    profile[31] = 0.25;
    int[] k = new MaskKvLayers().split(256, profile, 100_000);
    assertEquals(1280, k[0]);
    assertEquals(1280, k[31]);
    for (int l = 1; l < 31; l++) {
      assertEquals(187, k[l], "middle layer " + l);
    }
    assertEquals(8170, Arrays.stream(k).sum());
    assertTrue(Arrays.stream(k).sum() <= 32 * 256);
  }

  /**
   * MaskKV eq. 14–15 by hand, α = 0.1: a middle layer's k_l = 187 over 32 heads: P̂ uniform gives 187, P̂ = 0.10
   * gives 557, P̂ → 0 gives 18.
   */
  @Test
  void preferenceHeadSplitReproducesTheWorkedExample() {
    double[] pref = new double[32];
    Arrays.fill(pref, 1.0);
    int[] uniform = new PreferenceHeads().split(187, new float[32][1], pref);
    assertTrue(Arrays.stream(uniform).allMatch(x -> x == 187), Arrays.toString(uniform));

    // head 0 has P̂ = 0.10, head 1 has P̂ = 0 (exactly), the other 30 share 0.90
    double[] skewed = new double[32];
    skewed[0] = 0.10;
    skewed[1] = 0.0;
    for (int h = 2; h < 32; h++) {
      skewed[h] = 0.90 / 30;
    }
    int[] k = new PreferenceHeads().split(187, new float[32][1], skewed);
    assertEquals(557, k[0]); // floor(18.7 + 5385.6 * 0.10) = floor(557.26)
    assertEquals(18, k[1]); // floor(18.7)
    assertTrue(Arrays.stream(k).sum() <= 32 * 187);
  }

  /**
   * KVCache-Factory PyramidKV with B = 64, D = 4, n_p = 1000: min 3, max 125, step 40 gives 125, 85, 45, 5 = 260,
   * over D·B = 256; the 4 extra are trimmed from the top layer.
   */
  @Test
  void pyramidSplitDecreasesLinearlyAsInKvCacheFactory() {
    int[] k = new PyramidLayers().split(64, new double[4], 1000);
    assertArrayEquals(new int[] {121, 85, 45, 5}, k);
    assertTrue(Arrays.stream(k).sum() <= 4 * 64);
  }

  /** When max would pass n_p − w it is clamped: B = 64, n_p = 100: max = 68, min = 60, step = 2 over D = 5. */
  @Test
  void pyramidClampsToThePromptLessTheWindow() {
    assertArrayEquals(new int[] {68, 66, 64, 62, 60}, new PyramidLayers().split(64, new double[5], 100));
  }

  /**
   * Six layers with importance {0.5, 0.5, 0.1, 0.1, 0.01, 0.01}: cosines {0.5,0.5,0.9,0.9,0.99,0.99} form three
   * groups; the two most similar layers (cos 0.99) get 0.4·B = 40, the other four share the rest:
   * (6·100 − 2·40)/4 = 130.
   */
  @Test
  void squeezeGivesTheLeastImportantClusterFortyPercent() {
    int[] k = new SqueezeLayers().split(100, new double[] {0.5, 0.5, 0.1, 0.1, 0.01, 0.01}, 10_000);
    assertArrayEquals(new int[] {130, 130, 130, 130, 40, 40}, k);
    assertTrue(Arrays.stream(k).sum() <= 600);
  }

  /**
   * AdaKV over 2 heads, k_l = 5, 10 tokens each: head 0's scores dominate, so the global top-10 takes 8 from head
   * 0 and 2 from head 1; budgets are floor(8·0.8 + 1) = 7 and floor(2·0.8 + 1) = 2.
   */
  @Test
  void adaKvSplitsByGlobalTopWithAFloor() {
    float[][] scores = new float[2][10];
    for (int j = 0; j < 10; j++) {
      scores[0][j] = j < 8 ? 10 + j : 0;
      scores[1][j] = j < 2 ? 5 + j : 0.1f * j;
    }
    int[] k = new AdaKvHeads().split(5, scores, null);
    assertArrayEquals(new int[] {7, 2}, k);
    assertTrue(k[0] + k[1] <= 10);
  }

  @Test
  void methodsResolveByNameAndByPair() {
    assertEquals(ScorerKind.MASK_VOTING, EvictionMethods.parse("maskkv").scorer());
    assertEquals("pyramidkv", EvictionMethods.parse("pyramidkv").allocator().name());
    EvictionMethod pair = EvictionMethods.parse("snapkv+maskkv");
    assertEquals(ScorerKind.SNAPKV, pair.scorer());
    assertEquals("maskkv", pair.allocator().name());
    assertTrue(EvictionMethods.parse("full").keepsEverything());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> EvictionMethods.parse("bogus"));
    assertTrue(e.getMessage().contains("bogus"));
    assertThrows(IllegalArgumentException.class, () -> EvictionMethods.parse("snapkv+nothing"));
    // MaskKV's head split reads prompt preference, which the streaming and random scorers do not measure
    IllegalArgumentException unpaired = assertThrows(IllegalArgumentException.class,
        () -> EvictionMethods.parse("streaming+maskkv"));
    assertTrue(unpaired.getMessage().contains("preference"), unpaired.getMessage());
    assertTrue(EvictionMethods.pairings().contains("random+uniform"));
    assertTrue(EvictionMethods.pairings().contains("snapkv+maskkv"));
    assertTrue(!EvictionMethods.pairings().contains("random+maskkv"));
    for (String p : EvictionMethods.pairings()) {
      assertEquals(p, EvictionMethods.parse(p).name());
    }
  }
}
