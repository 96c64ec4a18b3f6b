package io.maskkv.bench.cli;

import io.grpc.ManagedChannel;
import io.maskkv.bench.load.LoadPrompt;
import io.maskkv.bench.load.LoadReport;
import io.maskkv.bench.load.LoadRun;
import io.maskkv.bench.longbench.LongBenchReader;
import io.maskkv.bench.longbench.LongBenchRecord;
import io.maskkv.bench.tasks.TaskFiles;
import io.maskkv.bench.tasks.TaskVocabulary;
import io.maskkv.common.model.ModelConfigJson;
import io.maskkv.controller.ControllerServer;
import io.maskkv.proto.v1.GenerateRequest;
import io.maskkv.server.GenerationFlags;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "load", mixinStandardHelpOptions = true,
    description = {"Load generator over gRPC: sessions against a running controller (--target) or an embedded one,",
        "at fixed concurrency levels or Poisson arrival rates. Reports tokens/s, sessions/s, time to first step and",
        "per-step latency p50/p95/p99, queue waits, peak KV and errors by status; table, CSV and PNG plots."})
public final class LoadCommand implements Callable<Integer> {
  @Option(names = "--target", description = "controller host:port (default: start an embedded controller)")
  String target;

  @Option(names = "--model", defaultValue = "models/maskkv-tiny",
      description = "model of the embedded controller, and the vocabulary of synthetic prompts")
  Path model;

  @Option(names = "--kv-bytes", description = "embedded worker's KV capacity, e.g. 64MB (default: 2GB)")
  String kvBytes;

  @Option(names = "--max-batch-rows", description = "embedded worker's fed rows per batched forward")
  Integer maxBatchRows;

  @Option(names = "--chunked-prefill", arity = "1", description = "embedded worker: chunk long prefills by layers "
      + "(default: true)")
  Boolean chunkedPrefill;

  @Option(names = "--concurrency", split = ",", description = "sessions in flight, one level per value "
      + "(default: 1,2,4,8,16,32 unless --rate)")
  List<Integer> concurrency;

  @Option(names = "--rate", split = ",", description = "Poisson arrivals per second, one level per value")
  List<Double> rates;

  @Option(names = "--sessions", description = "sessions per level (default: max(16, 2 x concurrency))")
  Integer sessions;

  @Option(names = "--data", description = "prompts from a LongBench-format JSONL file (answers are graded)")
  Path data;

  @Option(names = "--task", description = "generate prompts of a task family in process (needle, multikey, ...)")
  String task;

  @Option(names = "--prompt-length", defaultValue = "512", description = "tokens per generated or synthetic prompt")
  int promptLength;

  @Option(names = "--prompts", defaultValue = "32", description = "distinct prompts to cycle through")
  int promptCount;

  @Option(names = "--prompt-seed", defaultValue = "7", description = "seed of prompts and arrivals")
  long seed;

  @Option(names = "--warmup", defaultValue = "4", description = "sessions run before measuring")
  int warmup;

  @Option(names = "--timeout", defaultValue = "600", description = "seconds a session may take")
  long timeout;

  @Mixin
  GenerationFlags generation;

  @Option(names = "--out", description = "folder for load.csv, throughput.png and latency.png")
  Path out;

  @picocli.CommandLine.Mixin
  io.maskkv.server.ThreadFlags threads;

  @Mixin
  io.maskkv.server.EmbeddedWorkerFlags embeddedWorkers;

  @Override
  public Integer call() throws Exception {
    threads.apply();
    if (concurrency != null && rates != null) {
      throw new IllegalArgumentException("give --concurrency or --rate, not both");
    }
    List<LoadPrompt> prompts = prompts();
    GenerateRequest.Builder request = GenerateRequest.newBuilder();
    generation.applyTo(request);
    ControllerServer embedded = target == null ? embedded() : null;
    String address = target != null ? target : "127.0.0.1:" + embedded.port();
    int colon = address.lastIndexOf(':');
    // a remote controller with auth on takes the token from MASKKV_API_TOKEN
    ManagedChannel channel = io.maskkv.common.security.PublicChannel.open(address.substring(0, colon),
        Integer.parseInt(address.substring(colon + 1)), false, null);
    try {
      LoadRun run = new LoadRun(channel, request.build(), prompts, timeout);
      if (warmup > 0) {
        run.closedLoop(Math.min(warmup, 4), warmup, r -> {});
      }
      List<LoadReport> reports = new ArrayList<>();
      Map<Integer, String> firstTexts = new HashMap<>();
      int compared = 0;
      int differing = 0;
      boolean poisson = rates != null;
      List<Double> levels = poisson ? rates
          : (concurrency != null ? concurrency : List.of(1, 2, 4, 8, 16, 32)).stream().map(Integer::doubleValue)
              .toList();
      for (double level : levels) {
        int n = sessions != null ? sessions : Math.max(16, 2 * (int) Math.ceil(level));
        String label = poisson ? String.format("%.2f/s", level) : "c=" + (int) level;
        ProgressBar bar = ProgressBar.stderr("load " + label);
        bar.start(n);
        LoadRun.Result r = poisson ? run.poisson(level, n, seed, s -> bar.advance(s.status()))
            : run.closedLoop((int) level, n, s -> bar.advance(s.status()));
        bar.finish();
        reports.add(LoadReport.of(label, level, r));
        // every level sends the same prompts: a session's text must not depend on what it was batched with
        for (var s : r.sessions()) {
          if (s.ok()) {
            String before = firstTexts.putIfAbsent(s.prompt(), s.text());
            if (before != null) {
              compared++;
              differing += before.equals(s.text()) ? 0 : 1;
            }
          }
        }
      }
      System.out.printf("load on %s: %d prompts of %s, %s%n%n", address, prompts.size(),
          data != null ? data.toString() : (task != null ? task + " " + promptLength : promptLength + " random ids"),
          request.build().getCache().getMethod().isEmpty() ? "the controller's default cache"
              : "cache " + request.build().getCache().getMethod());
      System.out.print(LoadReport.table(reports));
      System.out.printf("same text for the same prompt at every load level: %s (%d sessions compared, %d differ)%n",
          differing == 0 ? "yes" : "NO", compared, differing);
      if (out != null) {
        LoadReport.writeCsv(out.resolve("load.csv"), reports);
        List<Path> plots = LoadReport.writePlots(out, poisson ? "arrival rate (sessions/s)" : "sessions in flight",
            reports);
        System.out.println("wrote " + out.resolve("load.csv") + ", " + plots);
      }
      return reports.stream().allMatch(r -> r.ok() == r.sessions()) ? 0 : 1;
    } finally {
      channel.shutdownNow();
      if (embedded != null) {
        embedded.close();
      }
    }
  }

  private ControllerServer embedded() {
    Map<String, Object> p = new HashMap<>();
    p.put("grpc.server.port", 0);
    p.put("grpc.server.host", "127.0.0.1");
    p.put("maskkv.embedded.enabled", true);
    p.put("maskkv.embedded.model", model.toString());
    p.put("maskkv.registration.enabled", false);
    p.put("maskkv.max-sessions", 1024);
    // a load run measures throughput at a fixed capacity: sessions wait for KV room as long as it takes (the
    // waits are reported), instead of failing after the default queue timeout
    p.put("maskkv.queue-timeout", "1h");
    p.put("maskkv.queue-size", 4096);
    p.put("maskkv.step-timeout", "1h"); // a prefill waiting behind many long ones is slow, not lost
    p.put("maskkv.session-timeout", "1h");
    if (kvBytes != null) {
      p.put("maskkv.embedded.kv-bytes", kvBytes);
    }
    embeddedWorkers.putInto(p);
    if (chunkedPrefill != null) {
      p.put("maskkv.embedded.chunked-prefill", chunkedPrefill);
    }
    if (maxBatchRows != null) {
      p.put("maskkv.embedded.max-batch-rows", maxBatchRows);
    }
    return ControllerServer.start(p);
  }

  private List<LoadPrompt> prompts() throws java.io.IOException {
    List<LoadPrompt> out = new ArrayList<>();
    if (data != null || task != null) {
      List<LongBenchRecord> records = data != null ? LongBenchReader.read(data)
          : TaskFiles.generate(task, promptCount, promptLength, seed);
      for (LongBenchRecord r : records.subList(0, Math.min(records.size(), promptCount))) {
        out.add(new LoadPrompt(TaskVocabulary.asPrompt(r), null, r.answers()));
      }
      return out;
    }
    int vocab = ModelConfigJson.read(model).vocabSize();
    SplittableRandom r = new SplittableRandom(seed);
    for (int i = 0; i < promptCount; i++) {
      int[] ids = new int[promptLength];
      Arrays.setAll(ids, j -> r.nextInt(Math.max(1, vocab - 16))); // below the special tokens
      out.add(new LoadPrompt(null, ids, List.of()));
    }
    return out;
  }
}
