package io.maskkv.worker.kv;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.Device;
import io.maskkv.common.decode.GenerationOptions;
import io.maskkv.common.decode.StepRequest;
import io.maskkv.common.model.ModelFamily;
import io.maskkv.worker.TestModels;
import io.maskkv.worker.checkpoint.TensorDType;
import io.maskkv.worker.engine.Transformer;
import io.maskkv.worker.session.Generator;
import io.maskkv.worker.session.ShardSession;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The bytes a cache reports are the bytes the native allocator holds for it: closing the session must give back
 * that much resident memory, and a long run of steps must not keep growing it. Resident bytes only measure this
 * under three settings, which the worker pom's {@code native-memory} Surefire execution gives this class in a JVM
 * of its own: MALLOC_MMAP_THRESHOLD_ fixed at 64 KiB, so that glibc returns every tensor-sized block to the OS on
 * free (its default threshold adapts and would keep freed blocks in the heap, hiding the release from RSS);
 * MALLOC_TRIM_THRESHOLD_ so high that the heap is never trimmed (a trim would release unrelated small blocks at
 * the same moment); and a fixed, pre-touched Java heap, so that the heap's own growth is not counted. Run anywhere
 * else (an IDE, a plain JUnit launcher) the tests are skipped with a message naming the missing setting; in that
 * execution ({@code maskkv.nativeMemory.required}) a missing setting fails them instead.
 */
@Tag("native-memory")
class NativeMemoryAccountingTest {

  private static long rss() throws Exception {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
      }
    }
    throw new IllegalStateException("no VmRSS");
  }

  /** Skips (or, in the pom's native-memory execution, fails) unless resident bytes measure native memory here. */
  private static void requireMeasurableRss() {
    assumeTrue(Files.exists(Path.of("/proc/self/status")), "needs Linux /proc/self/status to read the RSS");
    boolean required = Boolean.getBoolean("maskkv.nativeMemory.required");
    String[][] env = {{"MALLOC_MMAP_THRESHOLD_", "65536"}, {"MALLOC_TRIM_THRESHOLD_", "2000000000"}};
    for (String[] e : env) {
      if (!e[1].equals(System.getenv(e[0]))) {
        String why = "needs the environment variable " + e[0] + "=" + e[1] + " (has " + System.getenv(e[0])
            + "); run it through Maven: mvn -pl worker verify -Dtest=NativeMemoryAccountingTest";
        if (required) {
          fail(why);
        }
        assumeTrue(false, why);
      }
    }
    if (!ManagementFactory.getRuntimeMXBean().getInputArguments().contains("-XX:+AlwaysPreTouch")) {
      String why = "needs a pre-touched Java heap (-XX:+AlwaysPreTouch with -Xms equal to -Xmx); run it through "
          + "Maven: mvn -pl worker verify -Dtest=NativeMemoryAccountingTest";
      if (required) {
        fail(why);
      }
      assumeTrue(false, why);
    }
  }

  @Test
  void reportedKvBytesAreTheResidentBytesFreedOnClose() throws Exception {
    requireMeasurableRss();
    try (Transformer t = Transformer.load(TestModels.model(ModelFamily.LLADA, 2, 256, TensorDType.F32, 1),
        Device.cpu())) {
      int p = 4096;
      int[] prompt = TestModels.prompt(p, 31);
      int[] x = Arrays.copyOf(prompt, p + 8);
      Arrays.fill(x, p, p + 8, t.config().maskTokenId());
      GenerationOptions o = GenerationOptions.builder().lengths(8, 8, 8).cache("full", 0).seed(1).earlyStop(false).build();
      // Other threads (the JIT's arenas, GC) also free memory now and then, so measure several sessions: every
      // close must give back at least what the cache reported, and the closest must match it within 5% (measured in
      // four runs: 16,809,984 bytes reported, 16,760,832 to 16,826,368 freed by the closest, gaps of 0.1-0.3%).
      long bestGap = Long.MAX_VALUE;
      for (int round = 0; round < 4; round++) {
        ShardSession s = new ShardSession(t, Generator.plan(t, o, p), d -> {});
        s.step(new StepRequest(p, p + 8, true, x, new int[] {p}), null);
        System.gc();
        Thread.sleep(200);
        long held = s.kvBytes();
        long before = rss();
        s.close();
        long freed = before - rss();
        System.out.printf("native accounting: cache reported %d bytes, closing freed %d resident bytes%n", held,
            freed);
        assertTrue(held > 16_000_000, "the cache should be large enough to measure: " + held);
        assertTrue(freed >= 0.95 * held, "closing freed only " + freed + " bytes of the " + held + " reported");
        bestGap = Math.min(bestGap, Math.abs(freed - held));
        if (bestGap < 0.05 * held) {
          break;
        }
      }
      assertTrue(bestGap < 0.05 * 16_809_984, "no session freed what its cache reported (closest gap " + bestGap + ")");
    }
  }

  @Test
  void aThousandStepsLeaveNoNativeArraysBehindAndNoResidentGrowth() throws Exception {
    requireMeasurableRss();
    try (Transformer t = Transformer.load(TestModels.model(ModelFamily.LLADA, 2), Device.cpu())) {
      int p = 200;
      int[] x = Arrays.copyOf(TestModels.prompt(p, 33), p + 32);
      Arrays.fill(x, p, p + 32, t.config().maskTokenId());
      int[] masked = java.util.stream.IntStream.range(p, p + 32).toArray();
      for (String cache : new String[] {"prefix", "maskkv"}) {
        GenerationOptions o = GenerationOptions.builder().lengths(32, 32, 32).cache(cache, 16).seed(1).earlyStop(false).build();
        try (ShardSession s = new ShardSession(t, Generator.plan(t, o, p), d -> {})) {
          // resident bytes after steps 200, 250, ..., 1000 (past the first refreshes and the JIT's first passes)
          long[] at = new long[17];
          int arraysBefore = 0;
          for (int i = 0; i < 1000; i++) {
            s.step(new StepRequest(p, p + 32, i % 100 == 0, x, masked), null);
            if (i >= 199 && (i - 199) % 50 == 0) {
              System.gc();
              at[(i - 199) / 50] = rss();
              if (i == 199) {
                arraysBefore = t.manager().getManagedArrays().size();
              }
            }
          }
          int arraysAfter = t.manager().getManagedArrays().size();
          // no step may leave an NDArray behind in a long-lived manager
          assertTrue(arraysBefore == arraysAfter, cache + ": live NDArrays went from " + arraysBefore + " to "
              + arraysAfter);
          // A leak adds resident bytes in every 50-step interval; the JIT, the GC and the allocator add theirs in
          // a few jumps (measured: single jumps of 2-4 MiB, one of 10 MiB, some followed by a drop), so the bound
          // is on the median interval. Measured over seven runs of 16 intervals per cache: medians 0-60 KiB with
          // no leak; with a deliberately leaked 16 KiB direct buffer per step (800 KiB per interval), medians of
          // 820 KiB (maskkv) and 1,356 KiB (prefix, whose own tensors make its intervals noisier). The bound,
          // 256 KiB per interval (about 5 KiB per step), sits well above the first and below the second. Leaks of
          // 1-4 KiB per step did not show: the freed small blocks the untrimmed heap keeps absorb them.
          long[] growth = new long[at.length - 1];
          for (int k = 0; k < growth.length; k++) {
            growth[k] = at[k + 1] - at[k];
          }
          long[] sorted = growth.clone();
          Arrays.sort(sorted);
          long median = sorted[sorted.length / 2];
          System.out.printf("%s: %d live NDArrays; resident growth per 50 steps over steps 200-1000 (bytes): %s, "
              + "median %d%n", cache, arraysAfter, Arrays.toString(growth), median);
          assertTrue(median <= 256 * 1024, cache + ": resident memory grew by a median " + median
              + " bytes per 50 steps, a leak (intervals: " + Arrays.toString(growth) + ")");
        }
      }
    }
  }
}
