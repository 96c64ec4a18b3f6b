package io.maskkv.bench.serving;

import ai.djl.Device;
import io.maskkv.common.decode.DenoisingDriver;
import io.maskkv.common.decode.GenerationOptions;
import io.maskkv.worker.engine.Transformer;
import io.maskkv.worker.session.Generator;
import io.maskkv.worker.session.ShardSession;
import io.maskkv.worker.session.StepScheduler;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What a long prefill does to the sessions already decoding on the same worker: {@code decoders} sessions
 * generate again and again through one step scheduler while a single long-prompt session arrives; every decoding
 * step's latency after the first (from submit to result, waiting included) is recorded from half a second before
 * the long session arrives to half a second after it finished. Run once with the prefill whole, once chunked.
 */
public final class PrefillInterference {
  /** One mode's decoding-step latencies while the long prefill ran, and the prefill's own time. */
  public record Row(String mode, int steps, double p50Ms, double p99Ms, double maxMs, double prefillMs) {}

  private final Path model;
  private final int decoders;
  private final int longPrompt;
  private final int maxBatchRows;

  public PrefillInterference(Path model, int decoders, int longPrompt, int maxBatchRows) {
    this.model = model;
    this.decoders = decoders;
    this.longPrompt = longPrompt;
    this.maxBatchRows = maxBatchRows;
  }

  public List<Row> run() throws Exception {
    List<Row> rows = new ArrayList<>();
    try (Transformer t = Transformer.load(model, Device.cpu())) {
      for (boolean chunked : new boolean[] {false, true}) {
        rows.add(run(t, chunked));
      }
    }
    return rows;
  }

  private int[] prompt(int n, long seed, int vocab) {
    SplittableRandom r = new SplittableRandom(seed);
    int[] p = new int[n];
    for (int i = 0; i < n; i++) {
      p[i] = r.nextInt(Math.max(1, vocab - 16));
    }
    return p;
  }

  private Row run(Transformer t, boolean chunked) throws Exception {
    int vocab = t.config().vocabSize();
    GenerationOptions decode = GenerationOptions.builder().lengths(32, 32, 8).cache("maskkv", 64).earlyStop(false)
        .build();
    GenerationOptions prefill = GenerationOptions.builder().lengths(8, 8, 8).cache("maskkv", 64).earlyStop(false)
        .build();
    ExecutorService pool = Executors.newFixedThreadPool(decoders + 1);
    try (StepScheduler scheduler = new StepScheduler(t, maxBatchRows, chunked)) {
      new Generator(t).generate(prompt(256, 1, vocab), decode, scheduler); // warm-up
      AtomicBoolean measuring = new AtomicBoolean(false);
      AtomicBoolean stop = new AtomicBoolean(false);
      List<Double> latencies = Collections.synchronizedList(new ArrayList<>());
      List<CompletableFuture<Void>> running = new ArrayList<>();
      for (int d = 0; d < decoders; d++) {
        int[] p = prompt(256, 10 + d, vocab);
        running.add(CompletableFuture.runAsync(() -> {
          while (!stop.get()) {
            try (ShardSession s = new ShardSession(t, Generator.plan(t, decode, p.length), x -> {})) {
              DenoisingDriver.run(p, decode, t.config(), Generator.scheduled(s, scheduler), e -> {
                if (measuring.get() && e.step() > 0) {
                  latencies.add(e.nanos() / 1e6);
                }
              });
            }
          }
        }, pool));
      }
      Thread.sleep(2000); // decoders in their steady state
      measuring.set(true);
      Thread.sleep(500);
      long t0 = System.nanoTime();
      int[] longP = prompt(longPrompt, 99, vocab);
      try (ShardSession s = new ShardSession(t, Generator.plan(t, prefill, longP.length), x -> {})) {
        DenoisingDriver.run(longP, prefill, t.config(), Generator.scheduled(s, scheduler), e -> {});
      }
      double prefillMs = (System.nanoTime() - t0) / 1e6;
      Thread.sleep(500); // the steps that waited behind the prefill's last slice complete and are counted
      measuring.set(false);
      stop.set(true);
      for (CompletableFuture<Void> f : running) {
        f.get();
      }
      double[] v = latencies.stream().mapToDouble(Double::doubleValue).sorted().toArray();
      return new Row(chunked ? "chunked (one row slice per iteration)" : "whole (one iteration)", v.length, pick(v, 0.5), pick(v, 0.99),
          v.length == 0 ? Double.NaN : v[v.length - 1], prefillMs);
    } finally {
      pool.shutdownNow();
    }
  }

  private static double pick(double[] sorted, double q) {
    return sorted.length == 0 ? Double.NaN : sorted[(int) Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
  }

  public static String table(List<Row> rows) {
    StringBuilder sb = new StringBuilder("| prefill | decoding steps measured | step p50 ms | step p99 ms | step max ms |"
        + " long session (prefill + 8 steps) ms |\n|---|---|---|---|---|---|\n");
    for (Row r : rows) {
      sb.append(String.format(Locale.ROOT, "| %s | %d | %.1f | %.1f | %.1f | %.0f |%n", r.mode(), r.steps(), r.p50Ms(),
          r.p99Ms(), r.maxMs(), r.prefillMs()));
    }
    return sb.toString();
  }
}
