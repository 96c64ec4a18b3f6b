package io.maskkv.worker.kv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import io.maskkv.common.budget.Allocator;
import io.maskkv.common.budget.EvictionDecision;
import io.maskkv.common.budget.EvictionMethod;
import io.maskkv.common.budget.HeadSplit;
import io.maskkv.common.budget.ScorerKind;
import io.maskkv.common.decode.GenerationOptions;
import io.maskkv.common.decode.GenerationResult;
import io.maskkv.common.model.ModelFamily;
import io.maskkv.worker.TestModels;
import io.maskkv.worker.engine.Transformer;
import io.maskkv.worker.evict.Scorers;
import io.maskkv.worker.session.Generator;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Each KV head holds exactly the prompt positions its plan gives it: no padding to the layer's longest head. */
class RaggedKvStoreTest {

  private static final int PROMPT = 120;
  private static final int GEN = 16;

  /** Head 0 keeps 3 x k_l + 2, every other head k_l - h: one head always holds more than 3x another. */
  private static final HeadSplit SKEWED = (layerBudget, scores, preference) -> {
    int[] b = new int[scores.length];
    for (int h = 0; h < b.length; h++) {
      b[h] = h == 0 ? 3 * layerBudget + 2 : layerBudget - h;
    }
    return b;
  };

  private static CompressedPromptCache skewedCache(Transformer t, int[] layerBudgets, List<EvictionDecision> out,
      NDManager session) {
    EvictionMethod skewed = new EvictionMethod("skewed", ScorerKind.SNAPKV, new Allocator("skewed", null, SKEWED));
    return new CompressedPromptCache(skewed, Scorers.of(ScorerKind.SNAPKV, 1), layerBudgets, PROMPT, PROMPT + GEN,
        t.config().shiftedLogits() ? 1 : 0, t.config().kvHeads(), t.fromLayer(), t.toLayer(), session, out::add);
  }

  /** Runs one step of {@code plan} (the first step evicts) over the prompt and masks. */
  private static void step(Transformer t, StepPlan plan, NDManager session) {
    int[] ids = Arrays.copyOf(TestModels.prompt(PROMPT, 3), PROMPT + GEN);
    Arrays.fill(ids, PROMPT, ids.length, t.config().maskTokenId());
    try (NDManager step = session.newSubManager()) {
      int[] fed = Arrays.copyOfRange(ids, plan.positions()[0], plan.positions()[0] + plan.rows());
      t.layers(t.embed(fed, step), plan.positions(), plan.view(), null, step);
    }
  }

  @ParameterizedTest
  @EnumSource(ModelFamily.class)
  void aSkewedPlanHoldsExactlyThePlannedBytes(ModelFamily family) {
    try (Transformer t = Transformer.load(TestModels.model(family, 3), Device.cpu())) {
      int kvHeads = t.config().kvHeads();
      int hd = t.config().headDim();
      int[] layerBudgets = {20, 9, 30};
      long bytesPerElement = Float.BYTES;
      List<EvictionDecision> decisions = new ArrayList<>();
      try (NDManager session = t.manager().newSubManager();
          CompressedPromptCache cache = skewedCache(t, layerBudgets, decisions, session)) {
        step(t, cache.plan(PROMPT, PROMPT + 8, true), session);
        assertEquals(3, decisions.size());
        long planned = 0;
        for (EvictionDecision d : decisions) {
          int[] heads = SKEWED.split(layerBudgets[d.layer()], new float[kvHeads][], null);
          assertTrue(heads[0] >= 3 * Arrays.stream(heads).min().getAsInt(), "the plan is skewed");
          long layerPlanned = 0;
          for (int h = 0; h < kvHeads; h++) {
            assertEquals(heads[h], d.keptPositions()[h].length, "head " + h + " keeps what its plan gives it");
            layerPlanned += (long) heads[h] * 2 * hd * bytesPerElement;
          }
          assertEquals(2L * kvHeads * PROMPT * hd * bytesPerElement, d.bytesBefore());
          assertEquals(layerPlanned, d.bytesAfter(), "layer " + d.layer() + " holds its plan's bytes");
          assertEquals(layerPlanned, cache.buffer(d.layer()).promptBytes());
          planned += layerPlanned;
        }
        long response = 3L * GEN * t.config().kvBytesPerTokenPerLayer();
        assertEquals(planned + response, cache.bytes(), "held bytes = the plan's sum + the response rows");
        assertEquals(decisions.stream().mapToLong(EvictionDecision::bytesAfter).sum() + response, cache.bytes());
        // later steps attend through the transient padding and hold nothing more
        for (boolean first : new boolean[] {false, true, false}) {
          step(t, cache.plan(PROMPT + 8, PROMPT + GEN, first), session);
          assertEquals(planned + response, cache.bytes());
        }
      }
    }
  }

  /** Closing gives back every array the store held, and a step leaves none of its padding behind. */
  @Test
  void aRaggedLayerReleasesWhatItHoldsOnClose() {
    try (Transformer t = Transformer.load(TestModels.model(ModelFamily.DREAM, 2), Device.cpu());
        NDManager session = t.manager().newSubManager()) {
      List<EvictionDecision> decisions = new ArrayList<>();
      CompressedPromptCache cache = skewedCache(t, new int[] {12, 25}, decisions, session);
      step(t, cache.plan(PROMPT, PROMPT + 8, true), session);
      int held = session.getManagedArrays().size();
      long bytes = cache.bytes();
      assertEquals(bytes, session.getManagedArrays().stream().mapToLong(Slices::bytes).sum(),
          "the session holds exactly the store's tensors");
      step(t, cache.plan(PROMPT + 8, PROMPT + GEN, false), session);
      assertEquals(held, session.getManagedArrays().size(), "a cached step leaves no array in the session");
      cache.close();
      assertEquals(0, cache.bytes());
      assertEquals(0, session.getManagedArrays().size(), "close releases every array the store held");
    }
  }

  static Path bundled() {
    String fixtures = System.getProperty("maskkv.fixtures");
    Path root = fixtures != null ? Path.of(fixtures).getParent() : Path.of("..");
    return root.resolve("models").resolve("maskkv-tiny");
  }

  /**
   * The measurement: the bundled model, a 512-token prompt, budget 25, 16 generated tokens. Held bytes are
   * the kept prompt K/V (the plan's sum) plus one row per response position, in every layer.
   */
  @Test
  void bundledModelAt512TokensHoldsWhatItsPlanKeeps() {
    try (Transformer t = Transformer.load(bundled(), Device.cpu())) {
      int[] prompt = TestModels.prompt(512, 5);
      GenerationOptions base = GenerationOptions.builder().lengths(16, 16, 8).cache("maskkv", 25).seed(42).earlyStop(false).build();
      long perHeadToken = t.config().kvBytesPerTokenPerLayer() / t.config().kvHeads();
      long responseBytes = 16L * t.config().kvBytesPerTokenPerLayer() * t.config().layers();
      List<Long> held = new ArrayList<>();
      List<Long> expected = new ArrayList<>();
      for (String m : List.of("maskkv", "snapkv", "adakv", "pyramidkv")) {
        List<EvictionDecision> decisions = new ArrayList<>();
        GenerationResult r = new Generator(t).generate(prompt, base.withCache(m, 25), e -> {}, decisions::add);
        long kept = decisions.stream().mapToLong(EvictionDecision::kept).sum();
        System.out.printf("bundled 512 tokens, B=25, %s: held %d bytes; kept %d head-positions = %d prompt bytes"
            + " + %d response bytes%n", m, r.kvBytesFinal(), kept, kept * perHeadToken, responseBytes);
        held.add(r.kvBytesFinal());
        expected.add(kept * perHeadToken + responseBytes);
      }
      assertEquals(expected, held);
    }
  }
}
