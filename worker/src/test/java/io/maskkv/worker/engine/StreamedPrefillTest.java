package io.maskkv.worker.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import io.maskkv.common.budget.EvictionDecision;
import io.maskkv.common.decode.GenerationOptions;
import io.maskkv.common.model.ModelFamily;
import io.maskkv.worker.TestModels;
import io.maskkv.worker.kv.CompressedPromptCache;
import io.maskkv.worker.kv.StepCaches;
import io.maskkv.worker.kv.StepPlan;
import io.maskkv.worker.session.Generator;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A long prefill streams each layer's rows (q/k/v into whole-layer buffers, then attention, MLP and the residual
 * chunk by chunk, in place). It must be the same computation: the same kept positions per head and the same
 * tokens in every cache mode as the whole-layer path.
 */
class StreamedPrefillTest {
  private static final List<String> CACHES = List.of("none", "full", "maskkv", "snapkv", "pyramidkv");

  private static GenerationOptions options(String cache) {
    return GenerationOptions.builder().lengths(16, 16, 8).cache(cache, 32).seed(3).earlyStop(false).build();
  }

  @ParameterizedTest
  @EnumSource(ModelFamily.class)
  void streamedPrefillKeepsTheSamePositionsAndTokens(ModelFamily family) {
    try (Transformer t = Transformer.load(TestModels.model(family, 3), Device.cpu())) {
      int[] prompt = TestModels.prompt(300, 17);
      long savedStream = Transformer.streamRows;
      long savedChunk = Transformer.chunkRows;
      try {
        Transformer.streamRows = 1L << 30;
        List<int[]> whole = responses(t, prompt);
        List<EvictionDecision> wholeKept = decisions(t, prompt);
        Transformer.streamRows = 200; // the prefill (316 rows) streams; the 8-row steps do not
        Transformer.chunkRows = 48;
        List<int[]> streamed = responses(t, prompt);
        List<EvictionDecision> streamedKept = decisions(t, prompt);
        for (int i = 0; i < CACHES.size(); i++) {
          assertArrayEquals(whole.get(i), streamed.get(i), CACHES.get(i));
        }
        assertEquals(wholeKept.size(), streamedKept.size());
        for (int l = 0; l < wholeKept.size(); l++) {
          assertArrayEquals(wholeKept.get(l).keptPositions(), streamedKept.get(l).keptPositions(), "layer " + l);
        }
      } finally {
        Transformer.streamRows = savedStream;
        Transformer.chunkRows = savedChunk;
      }
    }
  }

  private static List<int[]> responses(Transformer t, int[] prompt) {
    List<int[]> out = new ArrayList<>();
    for (String cache : CACHES) {
      out.add(new Generator(t).generate(prompt, options(cache), e -> {}).response());
    }
    return out;
  }

  /** MaskKV's eviction decisions after one prefill (every layer's kept positions per head). */
  private static List<EvictionDecision> decisions(Transformer t, int[] prompt) {
    GenerationOptions o = options("maskkv");
    List<EvictionDecision> out = new ArrayList<>();
    try (NDManager session = t.manager().newSubManager();
        CompressedPromptCache cache = StepCaches.compressed(Generator.plan(t, o, prompt.length), t, prompt.length + 16,
            session, out::add);
        NDManager step = session.newSubManager()) {
      StepPlan plan = cache.plan(prompt.length, prompt.length + 8, true);
      int[] ids = Arrays.copyOf(prompt, prompt.length + 16);
      Arrays.fill(ids, prompt.length, ids.length, t.config().maskTokenId());
      t.layers(t.embed(ids, step), IntStream.range(0, ids.length).toArray(), plan.view(), null, step);
    }
    return out;
  }
}
