package io.maskkv.bench.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.maskkv.bench.BundledModel;
import io.maskkv.bench.longbench.LongBenchRecord;
import io.maskkv.bench.tasks.TaskFiles;
import io.maskkv.common.decode.GenerationOptions;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The equal-bytes sweep on the bundled model: every method holds at most the cap, and within a token of it. */
class EqualBytesTest {
  @Test
  void targetsParseAsSizesOrShares() {
    assertEquals(24 * 1024, ByteTarget.parse("24KiB").bytesFor(1 << 20));
    assertEquals(100000, ByteTarget.parse("100000").bytesFor(1 << 20));
    assertEquals(1_500_000, ByteTarget.parse("1.5MB").bytesFor(1 << 20));
    assertEquals(26214, ByteTarget.parse("2.5%").bytesFor(1 << 20));
    assertEquals(List.of("1%", "24KiB"), ByteTarget.parseList("1%, 24KiB,1%").stream().map(ByteTarget::label)
        .toList());
    assertThrows(IllegalArgumentException.class, () -> ByteTarget.parse("0%"));
    assertThrows(IllegalArgumentException.class, () -> ByteTarget.parse("lots"));
    assertThrows(IllegalArgumentException.class, () -> ByteTarget.parse("120%"));
  }

  /**
   * For each method and cap the search's budget B holds at most the cap and B + 1 holds more (checked by its own
   * generation), and for the methods whose bytes step by about one token per budget unit (snapkv: exactly B per
   * head and layer; maskkv: floors of budget-proportional shares) the held bytes are within one token's K/V (all
   * layers) of the cap.
   */
  @Test
  void everyMethodHoldsAtMostTheCapAndTheNextBudgetWouldExceedIt() throws Exception {
    List<LongBenchRecord> records = TaskFiles.generate("needle", 1, 384, 4243);
    GenerationOptions base = GenerationOptions.builder().lengths(2, 2, 2).cache("full", 0).seed(1).build();
    try (EngineModel m = EngineModel.load(BundledModel.path(), "cpu")) {
      EvalPlan plan = new EvalPlan(List.of("maskkv"), List.of(1), base);
      EvalRunner runner = new EvalRunner(m, plan, EvalProgress.NONE);
      long perToken = m.kvBytesPerToken();
      assertEquals(4 * 4 * 32 * 2 * 4, perToken, "4 layers x 4 KV heads x head dim 32, K and V, fp32");
      for (LongBenchRecord r : records) {
        RecordPrompts.Prepared p = RecordPrompts.PLAIN.prepare(m, "needle", r, base);
        long promptFull = perToken * p.ids().length;
        for (String method : List.of("maskkv", "snapkv", "adakv")) {
          for (ByteTarget t : ByteTarget.parseList("2.5%,10%,30KiB")) {
            long cap = t.bytesFor(promptFull);
            EvalRunner.Fit f = runner.fit(p, method, cap, 0, new java.util.HashMap<>());
            long held = f.out().promptKvBytes();
            String what = method + " at " + t.label() + " (cap " + cap + ", B " + f.budget() + ", held " + held + ")";
            assertFalse(f.over(), what);
            assertTrue(held <= cap, what + ": over the cap");
            long next = m.generate(p.ids(), p.options().withCache(method, f.budget() + 1)).promptKvBytes();
            assertTrue(next > cap, what + ": budget B + 1 fits too (" + next + ")");
            if (method.equals("snapkv") || method.equals("maskkv")) {
              assertTrue(cap - held < perToken, what + ": more than one token's K/V under the cap");
            }
            if (method.equals("snapkv")) {
              assertEquals((long) f.budget() * perToken, held, what + ": snapkv keeps exactly B per head and layer");
            }
            // the same search again, from the found budget as the guess, needs at most two generations, and none
            // when they are memoised
            java.util.Map<String, EvalModel.Output> memo = new java.util.HashMap<>();
            EvalRunner.Fit again = runner.fit(p, method, cap, f.budget(), memo);
            assertTrue(again.generations() <= 2, what);
            assertEquals(f.budget(), again.budget(), what);
            assertEquals(0, runner.fit(p, method, cap, f.budget(), memo).generations(), what);
          }
        }
      }
    }
  }
}
