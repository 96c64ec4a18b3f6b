package io.maskkv.bench.tasks;

import io.maskkv.bench.longbench.LongBenchRecord;
import io.maskkv.bench.longbench.LongBenchWriter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.IntFunction;

/** Generates task files in LongBench JSONL, one question per record, ids {@code <task>-<seed>-<i>}. */
public final class TaskFiles {
  private TaskFiles() {}

  /**
   * n records of the task at the given prompt length. Record i draws from the i-th split of the seed's
   * generator, so it is the same whatever n is.
   */
  public static List<LongBenchRecord> generate(String task, int n, int length, long seed) {
    IntFunction<LongBenchRecord> record = recordsOf(task, n, length, seed);
    List<LongBenchRecord> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(record.apply(i));
    }
    return out;
  }

  /** Writes what {@link #generate} returns, one record at a time so long files need little memory. */
  public static void write(Path out, String task, int n, int length, long seed) throws IOException {
    IntFunction<LongBenchRecord> record = recordsOf(task, n, length, seed);
    try (LongBenchWriter w = LongBenchWriter.open(out)) {
      for (int i = 0; i < n; i++) {
        w.write(record.apply(i));
      }
    }
  }

  /** Record i for increasing i; each call consumes the next split of the seed's generator. */
  private static IntFunction<LongBenchRecord> recordsOf(String task, int n, int length, long seed) {
    if (n < 0) {
      throw new IllegalArgumentException("record count must not be negative, got " + n);
    }
    TaskGenerator generator = TaskRegistry.get(task);
    SplittableRandom root = new SplittableRandom(seed);
    return i -> generator.generate(root.split(), length, i).withId(task + "-" + seed + "-" + i);
  }
}
