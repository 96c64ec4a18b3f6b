package io.maskkv.worker.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import io.maskkv.common.decode.GenerationOptions;
import io.maskkv.common.decode.StepRequest;
import io.maskkv.worker.session.ShardSession;
import java.util.Arrays;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
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

  /** A cancelled long prefill stops at the next slice boundary and its session frees everything on close. */
  @org.junit.jupiter.api.Test
  void aCancelledLongPrefillStopsAtOnce() throws Exception {
    long savedStream = Transformer.streamRows;
    long savedChunk = Transformer.chunkRows;
    Transformer.streamRows = 64;
    Transformer.chunkRows = 8; // 3 layers x 2 passes x 54 chunks: hundreds of slices
    try (Transformer t = Transformer.load(TestModels.model(ModelFamily.LLADA, 3), Device.cpu());
        StepScheduler scheduler = new StepScheduler(t, 120)) {
      int arraysBefore = t.manager().getManagedArrays().size();
      int p = 400;
      GenerationOptions o = GenerationOptions.builder().lengths(32, 32, 32).cache("maskkv", 16).earlyStop(false)
          .build();
      int[] x = Arrays.copyOf(TestModels.prompt(p, 9), p + 32);
      Arrays.fill(x, p, p + 32, t.config().maskTokenId());
      ShardSession s = new ShardSession(t, Generator.plan(t, o, p), d -> {});
      var step = scheduler.submit(s, new StepRequest(p, p + 32, true, x, IntStream.range(p, p + 32).toArray()), null);
      long start = scheduler.iterations();
      while (scheduler.iterations() < start + 5) {
        Thread.sleep(1);
      }
      scheduler.cancel(s);
      assertThrows(CancellationException.class, () -> step.get(10, TimeUnit.SECONDS));
      long afterCancel = scheduler.iterations();
      s.close();
      assertEquals(0, s.kvBytes());
      assertEquals(arraysBefore, t.manager().getManagedArrays().size(), "the half-run prefill left nothing behind");
      // and the scheduler serves the next session as usual
      int[] prompt = TestModels.prompt(40, 3);
      GenerationOptions small = o.withLengths(16, 16, 8);
      assertArrayEquals(new Generator(t).generate(prompt, small, e -> {}).response(),
          new Generator(t).generate(prompt, small, scheduler).response());
      org.junit.jupiter.api.Assertions.assertTrue(afterCancel - start < 300, "stopped long before its ~324 slices");
    } finally {
      Transformer.streamRows = savedStream;
      Transformer.chunkRows = savedChunk;
    }
  }
}
