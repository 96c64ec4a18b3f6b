package io.maskkv.bench.micro;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.maskkv.worker.engine.Attention;
import io.maskkv.worker.engine.AttentionKeys;
import io.maskkv.worker.engine.Queries;
import io.maskkv.worker.evict.MaskVotingScorer;
import io.maskkv.worker.evict.Scores;
import io.maskkv.worker.evict.TopK;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The hot kernels of a MaskKV step and of its one-shot eviction, at one layer of a LLaDA-like shape scaled down
 * (8 KV heads, head dim 64), for a prompt of {@code promptLength} tokens and 32 mask queries.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class KernelBenchmarks {
  static final int HEADS = 8;
  static final int HD = 64;
  static final int MASKS = 32;
  static final int BUDGET = 256;

  @Param({"4096", "32768"})
  public int promptLength;

  private NDManager manager;
  private NDArray queries; // [H, masks, hd]
  private NDArray allQueries; // [H, prompt + masks, hd]
  private AttentionKeys fullKeys; // prompt + masks
  private AttentionKeys compressedKeys; // budget + masks, with a padding mask
  private float[] scores;

  @Setup(Level.Trial)
  public void setUp() {
    manager = NDManager.newBaseManager();
    int total = promptLength + MASKS;
    queries = manager.randomNormal(new Shape(HEADS, MASKS, HD));
    allQueries = manager.randomNormal(new Shape(HEADS, total, HD));
    fullKeys = new AttentionKeys(manager.randomNormal(new Shape(HEADS, total, HD)),
        manager.randomNormal(new Shape(HEADS, total, HD)), null);
    int kept = BUDGET + MASKS;
    float[] mask = new float[HEADS * kept];
    for (int h = 0; h < HEADS; h++) {
      for (int j = BUDGET - 4 * h; j < BUDGET; j++) { // heads keep different counts: padded slots
        mask[h * kept + j] = Attention.MASKED;
      }
    }
    compressedKeys = new AttentionKeys(manager.randomNormal(new Shape(HEADS, kept, HD)),
        manager.randomNormal(new Shape(HEADS, kept, HD)), manager.create(mask, new Shape(HEADS, 1, kept)));
    SplittableRandom r = new SplittableRandom(1);
    scores = new float[promptLength];
    for (int i = 0; i < scores.length; i++) {
      scores[i] = (float) r.nextDouble();
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    manager.close();
  }

  /** A cached MaskKV step's attention: mask queries over the compressed prompt plus the response. */
  @Benchmark
  public float attendCompressedStore() {
    try (NDManager step = manager.newSubManager()) {
      NDArray q = queries.duplicate();
      q.attach(step);
      return Attention.attend(q, compressedKeys, HEADS).getFloat(0, 0);
    }
  }

  /** The same step over the full prompt cache (the `full` method). */
  @Benchmark
  public float attendFullPrompt() {
    try (NDManager step = manager.newSubManager()) {
      NDArray q = queries.duplicate();
      q.attach(step);
      return Attention.attend(q, fullKeys, HEADS).getFloat(0, 0);
    }
  }

  /** Mask-voting at the first step: column sums of the mask queries' attention, per head. */
  @Benchmark
  public float maskVoting() {
    try (NDManager step = manager.newSubManager()) {
      NDArray q = allQueries.duplicate();
      q.attach(step);
      Scores s = new MaskVotingScorer().score(0, Queries.of(q), fullKeys, promptLength, HEADS, step);
      return s.perHead()[0][0];
    }
  }

  /** Top-k selection of one head's scores (k = budget). */
  @Benchmark
  public int topK() {
    return TopK.select(scores, BUDGET).length;
  }

  /** One layer's eviction after its attention: mask-voting, per-head top-k, gather of the kept K/V. */
  @Benchmark
  public long evictOneLayer() {
    try (NDManager step = manager.newSubManager()) {
      NDArray q = allQueries.duplicate();
      q.attach(step);
      Scores s = new MaskVotingScorer().score(0, Queries.of(q), fullKeys, promptLength, HEADS, step);
      int total = promptLength + MASKS;
      long[] flat = new long[HEADS * BUDGET];
      for (int h = 0; h < HEADS; h++) {
        int[] kept = TopK.select(s.perHead()[h], BUDGET);
        for (int j = 0; j < BUDGET; j++) {
          flat[h * BUDGET + j] = (long) h * total + kept[j];
        }
      }
      NDArray index = step.create(flat).toType(DataType.INT64, false);
      NDArray k = fullKeys.k().reshape(HEADS * total, HD).get(index);
      k.attach(step);
      return k.getShape().size();
    }
  }
}
