package io.maskkv.worker.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import io.maskkv.common.decode.GenerationOptions;
import io.maskkv.common.model.ModelFamily;
import io.maskkv.worker.TestModels;
import io.maskkv.worker.session.Generator;
import io.maskkv.worker.session.StepScheduler;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Long prefills cut into row-chunk slices (the streamed layers' K/V pass and attention pass, one chunk per scheduler
 * iteration) beside other sessions' decoding steps give the tokens each session gets alone.
 */
class ChunkedPrefillTest {
  @ParameterizedTest
  @EnumSource(ModelFamily.class)
  void slicedPrefillsGiveTheTokensOfAWholeOne(ModelFamily family) throws Exception {
    long savedStream = Transformer.streamRows;
    long savedChunk = Transformer.chunkRows;
    Transformer.streamRows = 64; // prompts of 100+ rows stream, in chunks of 24 rows
    Transformer.chunkRows = 24;
    ExecutorService pool = Executors.newFixedThreadPool(6);
    try (Transformer t = Transformer.load(TestModels.model(family, 3), Device.cpu());
        StepScheduler scheduler = new StepScheduler(t, 120)) {
      List<int[]> prompts = new ArrayList<>();
      List<GenerationOptions> options = new ArrayList<>();
      String[] caches = {"maskkv", "snapkv", "full", "maskkv", "pyramidkv", "prefix"};
      for (int i = 0; i < caches.length; i++) {
        prompts.add(TestModels.prompt(i % 2 == 0 ? 150 + 20 * i : 30, 40 + i)); // long prefills and short ones
        options.add(GenerationOptions.builder().lengths(16, 16, 8).cache(caches[i], 12).earlyStop(false).build());
      }
      List<int[]> alone = new ArrayList<>();
      for (int i = 0; i < prompts.size(); i++) {
        alone.add(new Generator(t).generate(prompts.get(i), options.get(i), e -> {}).response());
      }
      long iterationsBefore = scheduler.iterations();
      List<CompletableFuture<int[]>> batched = new ArrayList<>();
      for (int i = 0; i < prompts.size(); i++) {
        int n = i;
        batched.add(CompletableFuture.supplyAsync(
            () -> new Generator(t).generate(prompts.get(n), options.get(n), scheduler).response(), pool));
      }
      for (int i = 0; i < prompts.size(); i++) {
        assertArrayEquals(alone.get(i), batched.get(i).get(), caches[i] + " session " + i);
      }
      // whole, 16 steps a session need about 16-20 shared iterations; sliced, each long prefill alone takes
      // 3 layers x (K/V pass + attention pass) x 7-9 chunks
      assertTrue(scheduler.iterations() - iterationsBefore > 3 * 16, "prefills ran in slices: "
          + (scheduler.iterations() - iterationsBefore) + " iterations");
    } finally {
      pool.shutdownNow();
      Transformer.streamRows = savedStream;
      Transformer.chunkRows = savedChunk;
    }
  }
}
