package io.maskkv.bench.serving;

import ai.djl.Device;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.maskkv.common.decode.GenerationOptions;
import io.maskkv.common.decode.GenerationResult;
import io.maskkv.common.model.ModelConfig;
import io.maskkv.common.model.ModelConfigJson;
import io.maskkv.controller.ControllerServer;
import io.maskkv.proto.v1.CachePolicy;
import io.maskkv.proto.v1.GenerateEvent;
import io.maskkv.proto.v1.GenerateRequest;
import io.maskkv.proto.v1.GenerationServiceGrpc;
import io.maskkv.proto.v1.Summary;
import io.maskkv.worker.engine.Transformer;
import io.maskkv.worker.grpc.ShardWorker;
import io.maskkv.worker.grpc.WorkerServer;
import io.maskkv.worker.grpc.WorkerSettings;
import io.maskkv.worker.session.Generator;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Per-step cost of the serving path against the in-process engine, on one machine: the same request run by the
 * {@link Generator} in process, by a controller with its embedded worker (gRPC in-process transport), by a
 * controller with one worker over loopback TCP, and by a controller with two shards over loopback TCP (hidden rows
 * cross the wire once per step). Times are the driver's own (prefill = first step; ms/step = mean of the others),
 * so the client's hop is not counted. Every path commits the same tokens; the run checks that too.
 */
public final class ServingOverhead {
  /**
   * One deployment's medians over the runs.
   *
   * @param servingMsPerStep what serving added per step: (total - time the shards computed) / steps (0 in process)
   */
  public record Row(String path, double prefillMs, double msPerStep, double servingMsPerStep, int steps,
      boolean sameTokens) {}

  private final Path model;
  private final int[] prompt;
  private final GenerationOptions options;
  private final int runs;
  private final PrintStream log;
  private int[] reference;

  public ServingOverhead(Path model, int promptLength, GenerationOptions options, int runs, PrintStream log) {
    this.model = model;
    ModelConfig c = ModelConfigJson.read(model);
    SplittableRandom r = new SplittableRandom(7);
    this.prompt = new int[promptLength];
    for (int i = 0; i < promptLength; i++) {
      prompt[i] = r.nextInt(Math.max(1, Math.min(c.vocabSize() - 8, 200))); // ordinary words, no specials
    }
    this.options = options;
    this.runs = runs;
    this.log = log;
  }

  public List<Row> run() {
    List<Row> rows = new ArrayList<>();
    rows.add(inProcess());
    rows.add(served("embedded (in-process gRPC)", Map.of("maskkv.embedded.enabled", true,
        "maskkv.embedded.model", model.toString()), List.of()));
    int layers = ModelConfigJson.read(model).layers();
    rows.add(served("loopback, 1 worker", Map.of(), List.of(new int[] {0, layers})));
    rows.add(served("loopback, 2 shards", Map.of(), List.of(new int[] {0, layers / 2}, new int[] {layers / 2,
        layers})));
    Row again = inProcess(); // once more, in case the machine was busier for the first
    rows.add(new Row("in process, again", again.prefillMs(), again.msPerStep(), 0, again.steps(), true));
    return rows;
  }

  private Row inProcess() {
    // on a fresh thread like the servers' steps (not the JVM's main thread), so both run under the same conditions
    java.util.concurrent.ExecutorService one = java.util.concurrent.Executors.newSingleThreadExecutor();
    try {
      return one.submit(this::inProcessHere).get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException(e.getCause());
    } finally {
      one.shutdown();
    }
  }

  private Row inProcessHere() {
    try (Transformer t = Transformer.load(model, Device.cpu())) {
      Generator g = new Generator(t);

      double[] prefill = new double[runs];
      double[] step = new double[runs];
      GenerationResult r = g.generate(prompt, options, e -> {}); // warm-up
      for (int i = 0; i < runs; i++) {
        r = g.generate(prompt, options, e -> {});
        prefill[i] = r.firstStepNanos() / 1e6;
        step[i] = r.msPerCachedStep();
      }
      reference = r.response();
      log.printf("in process: %.2f ms/step%n", median(step));
      return new Row("in process (Generator)", median(prefill), median(step), 0, r.steps(), true);
    }
  }

  private Row served(String name, Map<String, Object> extra, List<int[]> shards) {
    List<Transformer> loaded = new ArrayList<>();
    List<WorkerServer> workers = new ArrayList<>();
    ControllerServer controller = null;
    ManagedChannel channel = null;
    try {
      for (int[] range : shards) {
        Transformer t = Transformer.load(model, Device.cpu(), range[0], range[1]);
        loaded.add(t);
        workers.add(WorkerServer.start(new ShardWorker(t, new WorkerSettings("", "", "",
            WorkerSettings.DEFAULT_CAPACITY, "")), "127.0.0.1", 0));
      }
      Map<String, Object> p = new HashMap<>(extra);
      p.put("grpc.server.port", 0);
      p.put("grpc.server.host", "127.0.0.1");
      p.put("maskkv.workers", workers.stream().map(w -> "127.0.0.1:" + w.port()).toList());
      controller = ControllerServer.start(p);
      channel = Grpc.newChannelBuilderForAddress("127.0.0.1", controller.port(),
          InsecureChannelCredentials.create()).build();
      GenerationServiceGrpc.GenerationServiceBlockingStub stub = GenerationServiceGrpc.newBlockingStub(channel);
      GenerateRequest.Builder b = GenerateRequest.newBuilder().setGenLength(options.genLength())
          .setSteps(options.steps()).setBlockLength(options.blockLength())
          .setCache(CachePolicy.newBuilder().setMethod(options.method()).setBudget(options.budget()));
      for (int t : prompt) {
        b.addPromptIds(t);
      }
      GenerateRequest request = b.build();
      double[] prefill = new double[runs];
      double[] step = new double[runs];
      double[] serving = new double[runs];
      Summary s = summary(stub, request); // warm-up
      boolean same = true;
      for (int i = 0; i < runs; i++) {
        s = summary(stub, request);
        prefill[i] = s.getPrefillMs();
        step[i] = s.getMsPerStep();
        serving[i] = (s.getTotalMs() - s.getWorkerComputeMs()) / s.getSteps();
        same &= Arrays.equals(reference, s.getResponseIdsList().stream().mapToInt(Integer::intValue).toArray());
      }
      log.printf("%s: %.2f ms/step, %.3f ms/step added by serving%n", name, median(step), median(serving));
      return new Row(name, median(prefill), median(step), median(serving), s.getSteps(), same);
    } finally {
      if (channel != null) {
        channel.shutdownNow();
      }
      if (controller != null) {
        controller.close();
      }
      workers.forEach(WorkerServer::kill);
      loaded.forEach(Transformer::close);
    }
  }

  private static Summary summary(GenerationServiceGrpc.GenerationServiceBlockingStub stub, GenerateRequest r) {
    Iterator<GenerateEvent> it = stub.generate(r);
    Summary s = null;
    while (it.hasNext()) {
      GenerateEvent e = it.next();
      if (e.hasSummary()) {
        s = e.getSummary();
      }
    }
    return s;
  }

  private static double median(double[] v) {
    double[] s = v.clone();
    Arrays.sort(s);
    return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  }

  /** A Markdown table of the rows, with each path's per-step overhead over the in-process engine. */
  public static String table(List<Row> rows) {
    double base = rows.get(0).msPerStep();
    StringBuilder sb = new StringBuilder("| path | prefill ms | ms/step | vs in process | serving time/step | "
        + "same tokens |\n|---|---|---|---|---|---|\n");
    for (Row r : rows) {
      sb.append(String.format("| %s | %.2f | %.3f | %+.3f ms | %.3f ms | %s |%n", r.path(), r.prefillMs(),
          r.msPerStep(), r.msPerStep() - base, r.servingMsPerStep(), r.sameTokens() ? "yes" : "NO"));
    }
    sb.append("\nserving time/step = (total - time the shards spent computing) / steps: transport, serialization, "
        + "scheduling and the controller's work (events, text), measured by the controller.\n");
    return sb.toString();
  }

  public static GenerationOptions options(int gen, int block, String cache, int budget) {
    return GenerationOptions.builder().lengths(gen, gen, block).cache(cache, budget).seed(42).build();
  }
}
