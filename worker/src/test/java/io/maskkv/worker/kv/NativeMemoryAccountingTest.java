package io.maskkv.worker.kv;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.Device;
import io.maskkv.common.decode.GenerationOptions;
import io.maskkv.common.decode.Remasking;
import io.maskkv.common.decode.StepRequest;
import io.maskkv.common.model.ModelFamily;
import io.maskkv.worker.TestModels;
import io.maskkv.worker.checkpoint.TensorDType;
import io.maskkv.worker.session.Generator;
import io.maskkv.worker.session.ShardSession;
import io.maskkv.worker.engine.Transformer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The bytes a cache reports are the bytes the native allocator holds for it: closing the session must give back
 * that much resident memory. Surefire runs this JVM with MALLOC_MMAP_THRESHOLD_ fixed at 64 KiB so that glibc
 * returns every tensor-sized block to the OS on free (its default threshold adapts and would keep freed blocks
 * in the heap, hiding the release from RSS), and with MALLOC_TRIM_THRESHOLD_ so high that the heap is never
 * trimmed (a trim would release unrelated small blocks at the same moment).
 */
class NativeMemoryAccountingTest {

  private static long rss() throws Exception {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
      }
    }
    throw new IllegalStateException("no VmRSS");
  }

  @Test
  void reportedKvBytesAreTheResidentBytesFreedOnClose() throws Exception {
    assumeTrue(Files.exists(Path.of("/proc/self/status")), "needs Linux /proc");
    assumeTrue("65536".equals(System.getenv("MALLOC_MMAP_THRESHOLD_")), "needs the fixed mmap threshold");
    try (Transformer t = Transformer.load(TestModels.model(ModelFamily.LLADA, 2, 256, TensorDType.F32, 1),
        Device.cpu())) {
      int p = 4096;
      int[] prompt = TestModels.prompt(p, 31);
      int[] x = Arrays.copyOf(prompt, p + 8);
      Arrays.fill(x, p, p + 8, t.config().maskTokenId());
      GenerationOptions o = GenerationOptions.builder().lengths(8, 8, 8).cache("full", 0).seed(1).earlyStop(false).build();
      // Other threads (the JIT's arenas, GC) also free memory now and then, so measure several sessions: every
      // close must give back at least what the cache reported, and the closest must match it within 5%.
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
  void aThousandStepsLeaveNoNativeArraysBehind() throws Exception {
    assumeTrue(Files.exists(Path.of("/proc/self/status")), "needs Linux /proc");
    try (Transformer t = Transformer.load(TestModels.model(ModelFamily.LLADA, 2), Device.cpu())) {
      int p = 200;
      int[] x = Arrays.copyOf(TestModels.prompt(p, 33), p + 32);
      Arrays.fill(x, p, p + 32, t.config().maskTokenId());
      int[] masked = java.util.stream.IntStream.range(p, p + 32).toArray();
      for (String cache : new String[] {"prefix", "maskkv"}) {
        GenerationOptions o = GenerationOptions.builder().lengths(32, 32, 32).cache(cache, 16).seed(1).earlyStop(false).build();
        try (ShardSession s = new ShardSession(t, Generator.plan(t, o, p), d -> {})) {
          long[] at = new long[3];
          int[] arrays = new int[3];
          for (int i = 0; i < 1000; i++) {
            s.step(new StepRequest(p, p + 32, i % 100 == 0, x, masked), null);
            if (i == 199 || i == 599 || i == 999) {
              System.gc();
              at[i / 400] = rss();
              arrays[i / 400] = t.manager().getManagedArrays().size();
            }
          }
          // no step may leave an NDArray behind in a long-lived manager
          assertTrue(arrays[0] == arrays[2], cache + ": live NDArrays went from " + arrays[0] + " to " + arrays[2]);
          // a leak grows with every step; heap and allocator warm-up level off: compare two 400-step windows
          // resident size is reported, not asserted: the Java heap's own growth makes it noisy at this scale
          System.out.printf("%s: %d live NDArrays; resident growth over steps 200-600: %d bytes, 600-1000: %d bytes%n",
              cache, arrays[2], at[1] - at[0], at[2] - at[1]);
        }
      }
    }
  }
}
