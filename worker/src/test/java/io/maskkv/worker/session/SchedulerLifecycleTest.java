package io.maskkv.worker.session;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import io.maskkv.common.decode.DenoisingDriver;
import io.maskkv.common.decode.FinishReason;
import io.maskkv.common.decode.GenerationOptions;
import io.maskkv.common.decode.GenerationResult;
import io.maskkv.common.model.ModelFamily;
import io.maskkv.worker.TestModels;
import io.maskkv.worker.engine.Transformer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Sessions leave the scheduler cleanly: cancelled mid-batch, or a thousand of them one after another. */
class SchedulerLifecycleTest {
  private static final List<String> CACHES = List.of("maskkv", "prefix", "snapkv", "full", "dual", "none");

  @Test
  void aCancelledSessionFreesItsKvAndTheOthersKeepTheirTokens() throws Exception {
    try (Transformer t = Transformer.load(TestModels.model(ModelFamily.LLADA, 2), Device.cpu());
        StepScheduler scheduler = new StepScheduler(t, StepScheduler.DEFAULT_MAX_BATCH_ROWS)) {
      int arraysBefore = t.manager().getManagedArrays().size();
      List<int[]> prompts = new ArrayList<>();
      List<int[]> alone = new ArrayList<>();
      GenerationOptions o = GenerationOptions.builder().lengths(32, 32, 8).cache("maskkv", 8).earlyStop(false)
          .build();
      for (int i = 0; i < 6; i++) {
        prompts.add(TestModels.prompt(60 + 10 * i, 100 + i));
        alone.add(new Generator(t).generate(prompts.get(i), o, e -> {}).response());
      }
      ExecutorService pool = Executors.newFixedThreadPool(7);
      try {
        List<CompletableFuture<int[]>> others = new ArrayList<>();
        for (int[] p : prompts) {
          others.add(CompletableFuture.supplyAsync(() -> new Generator(t).generate(p, o, scheduler).response(), pool));
        }
        // the victim stops after 3 steps, while the others are mid-generation, and closes its session at once
        AtomicInteger steps = new AtomicInteger();
        long[] held = new long[2];
        CompletableFuture<GenerationResult> victim = CompletableFuture.supplyAsync(() -> {
          int[] prompt = TestModels.prompt(90, 7);
          ShardSession s = new ShardSession(t, Generator.plan(t, o, prompt.length), d -> {});
          try {
            return DenoisingDriver.run(prompt, o, t.config(), Generator.scheduled(s, scheduler),
                e -> steps.incrementAndGet(), () -> steps.get() >= 3);
          } finally {
            held[0] = s.kvBytes();
            s.close();
            held[1] = s.kvBytes();
          }
        }, pool);
        assertEquals(FinishReason.CANCELLED, victim.get().finishReason());
        assertTrue(held[0] > 0, "the victim held KV before it closed");
        assertEquals(0, held[1], "closing frees the session's KV at once");
        for (int i = 0; i < prompts.size(); i++) {
          assertArrayEquals(alone.get(i), others.get(i).get(), "session " + i + " is unaffected by the cancel");
        }
      } finally {
        pool.shutdownNow();
      }
      assertEquals(arraysBefore, t.manager().getManagedArrays().size(), "no NDArray outlives its session");
    }
  }

  @Test
  void aThousandSessionsLeaveNoArraysAndNoKvBehind() throws Exception {
    try (Transformer t = Transformer.load(TestModels.model(ModelFamily.DREAM, 2), Device.cpu());
        StepScheduler scheduler = new StepScheduler(t, 512)) {
      int arraysBefore = t.manager().getManagedArrays().size();
      ExecutorService pool = Executors.newFixedThreadPool(16);
      AtomicInteger leftHeld = new AtomicInteger();
      try {
        List<CompletableFuture<Void>> all = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
          int n = i;
          all.add(CompletableFuture.runAsync(() -> {
            int[] prompt = TestModels.prompt(8 + n % 40, n);
            GenerationOptions o = GenerationOptions.builder().lengths(4, 4, 4).cache(CACHES.get(n % CACHES.size()), 6)
                .earlyStop(false).build();
            ShardSession s = new ShardSession(t, Generator.plan(t, o, prompt.length), d -> {});
            try {
              DenoisingDriver.run(prompt, o, t.config(), Generator.scheduled(s, scheduler), e -> {});
            } finally {
              s.close();
              leftHeld.addAndGet((int) s.kvBytes());
            }
          }, pool));
        }
        for (CompletableFuture<Void> f : all) {
          f.get();
        }
      } finally {
        pool.shutdownNow();
      }
      assertEquals(1000, scheduler.steps() / 4, "every session ran its 4 steps through the scheduler");
      assertTrue(scheduler.largestBatch() > 1, "sessions shared forwards");
      assertEquals(0, leftHeld.get(), "closed sessions hold no KV");
      assertEquals(arraysBefore, t.manager().getManagedArrays().size(), "no NDArray outlives its session");
    }
  }
}
