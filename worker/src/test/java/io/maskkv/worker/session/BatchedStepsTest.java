package io.maskkv.worker.session;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import io.maskkv.common.decode.GenerationOptions;
import io.maskkv.common.decode.Refresh;
import io.maskkv.common.model.ModelFamily;
import io.maskkv.worker.TestModels;
import io.maskkv.worker.engine.Transformer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** A session's greedy tokens are the same alone and batched with any mix of other sessions. */
class BatchedStepsTest {
  private record Case(int[] prompt, GenerationOptions options) {}

  private static List<Case> mix() {
    GenerationOptions.Builder base = GenerationOptions.builder().seed(5).earlyStop(false);
    List<Case> c = new ArrayList<>();
    c.add(new Case(TestModels.prompt(40, 1), base.lengths(16, 16, 8).cache("maskkv", 8).build()));
    c.add(new Case(TestModels.prompt(90, 2), base.lengths(16, 16, 8).cache("snapkv", 16).build()));
    c.add(new Case(TestModels.prompt(60, 3), base.lengths(8, 8, 8).cache("full", 0).build()));
    c.add(new Case(TestModels.prompt(33, 4), base.lengths(16, 8, 8).cache("prefix", 0).build()));
    c.add(new Case(TestModels.prompt(25, 5), base.lengths(8, 8, 4).cache("none", 0).build()));
    c.add(new Case(TestModels.prompt(70, 6), base.lengths(16, 16, 16).cache("dual", 0).build()));
    c.add(new Case(TestModels.prompt(120, 7), base.lengths(32, 32, 16).cache("pyramidkv", 12).build()));
    c.add(new Case(TestModels.prompt(50, 8), base.lengths(16, 16, 8).cache("maskkv", 10).refresh(Refresh.DUAL)
        .build()));
    c.add(new Case(TestModels.prompt(45, 9), base.lengths(16, 16, 8).cache("maskkv", 10).refresh(Refresh.ELASTIC)
        .window(4).build()));
    c.add(new Case(TestModels.prompt(80, 10), base.lengths(16, 16, 8).cache("snapkv+maskkv", 6)
        .threshold(0.3).build()));
    c.add(new Case(TestModels.prompt(64, 11), base.lengths(16, 16, 8).cache("streamingllm", 8).build()));
    c.add(new Case(TestModels.prompt(40, 1), base.lengths(16, 16, 8).cache("random", 8).build()));
    return c;
  }

  @ParameterizedTest
  @EnumSource(ModelFamily.class)
  void batchedTokensEqualAloneTokens(ModelFamily family) throws Exception {
    check(family, StepScheduler.DEFAULT_MAX_BATCH_ROWS);
  }

  /**
   * A row budget of 100 fed rows: every prefill here (25-152 rows x 3 layers) leaves the batch and runs through a
   * layer cursor beside the others' decode steps (ChunkedPrefillTest cuts streamed layers into row slices).
   */
  @ParameterizedTest
  @EnumSource(ModelFamily.class)
  void chunkedPrefillsGiveTheSameTokens(ModelFamily family) throws Exception {
    check(family, 100);
  }

  private static void check(ModelFamily family, int maxBatchRows) throws Exception {
    List<Case> cases = mix();
    try (Transformer t = Transformer.load(TestModels.model(family, 3), Device.cpu());
        StepScheduler scheduler = new StepScheduler(t, maxBatchRows)) {
      List<int[]> alone = new ArrayList<>();
      for (Case c : cases) {
        alone.add(new Generator(t).generate(c.prompt(), c.options().validated(), e -> {}).response());
      }
      ExecutorService pool = Executors.newFixedThreadPool(cases.size());
      try {
        for (int round = 0; round < 2; round++) { // twice: different batch compositions
          CountDownLatch start = new CountDownLatch(1);
          List<CompletableFuture<int[]>> batched = new ArrayList<>();
          for (Case c : cases) {
            batched.add(CompletableFuture.supplyAsync(() -> {
              try {
                start.await();
              } catch (InterruptedException e) {
                throw new IllegalStateException(e);
              }
              return new Generator(t).generate(c.prompt(), c.options().validated(), scheduler).response();
            }, pool));
          }
          start.countDown();
          for (int i = 0; i < cases.size(); i++) {
            int[] got = batched.get(i).get();
            assertArrayEquals(alone.get(i), got, cases.get(i).options().method() + " case " + i + ": "
                + Arrays.toString(got));
          }
        }
      } finally {
        pool.shutdownNow();
      }
      assertTrue(scheduler.largestBatch() > 1, "steps were batched: largest batch " + scheduler.largestBatch());
    }
  }
}
