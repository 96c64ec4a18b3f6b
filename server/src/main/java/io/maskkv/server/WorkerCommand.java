package io.maskkv.server;

import io.maskkv.common.model.ModelConfigJson;
import io.maskkv.worker.engine.Devices;
import io.maskkv.worker.engine.ModelLoader;
import io.maskkv.worker.engine.WeightPrecision;
import io.maskkv.worker.engine.Transformer;
import io.maskkv.worker.grpc.ShardWorker;
import io.maskkv.common.security.ClusterAccess;
import io.maskkv.worker.grpc.WorkerLimits;
import io.maskkv.worker.grpc.WorkerRegistrar;
import io.maskkv.worker.grpc.WorkerServer;
import io.maskkv.worker.grpc.WorkerSettings;
import io.maskkv.worker.metrics.WorkerMetrics;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "worker", mixinStandardHelpOptions = true,
    description = {"Run a worker: hosts a layer range of a model and its sessions' KV caches "
        + "(maskkv.v1.WorkerService plus grpc.health.v1.Health).",
        "A full model is a group of shards covering all layers; start several groups to serve in parallel."})
public final class WorkerCommand implements Callable<Integer> {
  @Option(names = "--model", required = true, description = "model folder")
  Path model;

  // not --layers, which means a layer count everywhere else (make-model, train, bench)
  @Option(names = "--layer-range", description = "the layers this worker holds, FROM:TO with TO exclusive "
      + "(default: all layers)")
  String layers;

  @Option(names = "--port", defaultValue = "7070", description = "gRPC port, 0 = any free (default: ${DEFAULT-VALUE})")
  int port;

  @Option(names = "--host", defaultValue = "0.0.0.0", description = "address to bind (default: ${DEFAULT-VALUE})")
  String host;

  @Option(names = "--controller", description = "controller host:port to register with (heartbeats keep it)")
  String controller;

  @Option(names = "--advertise", description = "host:port the controller reaches this worker at "
      + "(default: this machine's host name and the bound port)")
  String advertise;

  @Option(names = "--id", description = "worker id (default: the advertised address)")
  String id;

  @Option(names = "--name", description = "model name clients ask for (default: the model folder's name)")
  String name;

  @Option(names = "--group", description = "replica group label; shards with one label form one group "
      + "(default: the controller chains shards by layer range)")
  String group;

  @Option(names = "--kv-bytes", defaultValue = "2GB", description = "KV capacity (default: ${DEFAULT-VALUE})")
  String kvBytes;

  @Option(names = "--max-batch-rows", defaultValue = "8192",
      description = "fed rows per batched forward: steps of sessions waiting together share one forward up to this "
          + "many rows (default: ${DEFAULT-VALUE})")
  int maxBatchRows;

  @Option(names = "--chunked-prefill", defaultValue = "true", arity = "1",
      description = "run a prefill longer than the row budget a few layers per iteration beside the decoding "
          + "sessions (default: ${DEFAULT-VALUE})")
  boolean chunkedPrefill;

  @Option(names = "--device", defaultValue = "cpu", description = "cpu, cuda or cuda:N")
  String device;

  @Option(names = "--dtype", defaultValue = "auto", description = "weight precision: auto (the checkpoint's on "
      + "CUDA, fp32 on CPU), fp32, bf16 (CUDA only) or fp16 (default: ${DEFAULT-VALUE})")
  String dtype;

  @Option(names = "--drain-timeout", defaultValue = "30", description = "seconds running sessions may finish on stop")
  int drainSeconds;

  @Option(names = "--max-sessions", defaultValue = "1024",
      description = "open sessions at once; more are refused with RESOURCE_EXHAUSTED (default: ${DEFAULT-VALUE})")
  int maxSessions;

  @Option(names = "--idle-timeout", defaultValue = "600",
      description = "seconds a session stream may send nothing before it is ended and its KV freed "
          + "(default: ${DEFAULT-VALUE})")
  int idleSeconds;

  @Mixin
  ClusterFlags cluster;

  @Option(names = "--metrics-port", description = "serve Prometheus series (maskkv_worker_*: KV used, free, "
      + "capacity, sessions) at /prometheus on this port (default: off)")
  Integer metricsPort;

  @picocli.CommandLine.Mixin
  ThreadFlags threads;

  @Override
  public Integer call() throws InterruptedException {
    threads.apply();
    int total = ModelConfigJson.read(model).layers();
    int from = 0;
    int to = total;
    if (layers != null) {
      String[] r = layers.split(":");
      try {
        from = Integer.parseInt(r[0].trim());
        to = Integer.parseInt(r[1].trim());
      } catch (RuntimeException e) {
        throw new IllegalArgumentException("--layer-range must be FROM:TO, got '" + layers + "'");
      }
      if (from < 0 || to > total || from >= to) {
        throw new IllegalArgumentException("--layer-range " + layers + " is outside the model's 0:" + total);
      }
    }
    // listen first: while the shard loads, health answers NOT_SERVING instead of refusing connections
    ClusterAccess access = cluster.access();
    WorkerServer server = WorkerServer.bind(host, port, access);
    System.err.printf("maskkv worker: loading %s layers %d:%d on port %d (health NOT_SERVING until loaded)%n", model,
        from, to, server.port());
    Transformer shard;
    ShardWorker worker;
    try {
      // the weights and the whole KV capacity must fit the device together: refused here, in one line, if not
      shard = ModelLoader.load(model, Devices.parse(device), from, to, WeightPrecision.parse(dtype),
          ByteSizes.parse(kvBytes), new LoadProgressPrinter());
      worker = new ShardWorker(shard, new WorkerSettings(id, name, group, ByteSizes.parse(kvBytes), ""),
          maxBatchRows, chunkedPrefill);
    } catch (RuntimeException e) {
      server.shutdown(Duration.ZERO);
      throw e;
    }
    worker.limits(new WorkerLimits(maxSessions, Duration.ofSeconds(idleSeconds)));
    server.serve(worker);
    WorkerMetrics metrics = metricsPort == null ? null : WorkerMetrics.start(worker, host, metricsPort);
    worker.advertise(advertise != null ? advertise : hostName() + ":" + server.port());
    WorkerRegistrar registrar = controller == null ? null
        : new WorkerRegistrar(worker, controller, Duration.ofSeconds(2), access).start();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      System.err.println("maskkv worker: draining and stopping...");
      if (registrar != null) {
        registrar.close();
      }
      server.shutdown(Duration.ofSeconds(drainSeconds));
      if (metrics != null) {
        metrics.close();
      }
      shard.close();
      stopped.countDown();
    }, "maskkv-shutdown"));
    System.err.printf("maskkv worker %s: model %s layers %d:%d of %d on port %d, advertised as %s%s%s%n", worker.id(),
        worker.settings().model(), from, to, total, server.port(), worker.settings().address(),
        controller == null ? "" : ", registering with " + controller,
        metrics == null ? "" : ", metrics on port " + metrics.port());
    stopped.await();
    return 0;
  }

  private static String hostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return "localhost";
    }
  }
}
