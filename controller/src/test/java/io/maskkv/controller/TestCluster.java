package io.maskkv.controller;

import ai.djl.Device;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.maskkv.common.security.BearerToken;
import io.maskkv.common.security.ClusterAccess;
import io.maskkv.proto.v1.GenerateEvent;
import io.maskkv.proto.v1.GenerateRequest;
import io.maskkv.proto.v1.GenerationServiceGrpc;
import io.maskkv.worker.engine.Transformer;
import io.maskkv.worker.grpc.ShardWorker;
import io.maskkv.worker.grpc.WorkerServer;
import io.maskkv.worker.grpc.WorkerSettings;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Real workers and a real controller on 127.0.0.1 ephemeral ports; close() stops everything. */
final class TestCluster implements AutoCloseable {
  final List<Transformer> models = new ArrayList<>();
  final List<WorkerServer> workers = new ArrayList<>();
  ControllerServer controller;
  ManagedChannel channel;
  private String token;

  WorkerServer worker(Path model, int from, int to) {
    return worker(model, from, to, WorkerSettings.DEFAULT_CAPACITY, "");
  }

  WorkerServer worker(Path model, int from, int to, long capacity, String group) {
    return worker(model, from, to, capacity, group, ClusterAccess.OPEN);
  }

  /** A worker that serves only callers holding {@code access}'s cluster credential. */
  WorkerServer worker(Path model, int from, int to, long capacity, String group, ClusterAccess access) {
    Transformer t = Transformer.load(model, Device.cpu(), from, to);
    models.add(t);
    // the port is known only after binding: advertise it through a second settings object
    ShardWorker w = new ShardWorker(t, new WorkerSettings("", "", group, capacity, ""));
    WorkerServer s = WorkerServer.start(w, "127.0.0.1", 0, access);
    workers.add(s);
    return s;
  }

  static String address(WorkerServer s) {
    return "127.0.0.1:" + s.port();
  }

  TestCluster controller(Map<String, Object> extra) {
    Map<String, Object> p = new HashMap<>();
    p.put("grpc.server.port", 0);
    p.put("grpc.server.host", "127.0.0.1");
    p.put("grpc.server.await-termination", "2s");
    p.put("maskkv.workers", workers.stream().map(TestCluster::address).toList());
    p.put("maskkv.poll-interval", "500ms");
    p.put("maskkv.worker-timeout", "2s");
    p.put("maskkv.drain-timeout", "2s");
    p.putAll(extra);
    controller = ControllerServer.start(p);
    channel = Grpc.newChannelBuilderForAddress("127.0.0.1", controller.port(), InsecureChannelCredentials.create())
        .build();
    return this;
  }

  /** Every later call of {@link #blocking()} and {@link #async()} carries this API token. */
  TestCluster token(String t) {
    token = t;
    return this;
  }

  GenerationServiceGrpc.GenerationServiceBlockingStub blocking() {
    var stub = GenerationServiceGrpc.newBlockingStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS);
    return token == null ? stub : stub.withCallCredentials(new BearerToken(token));
  }

  GenerationServiceGrpc.GenerationServiceStub async() {
    var stub = GenerationServiceGrpc.newStub(channel);
    return token == null ? stub : stub.withCallCredentials(new BearerToken(token));
  }

  List<GenerateEvent> generate(GenerateRequest r) {
    List<GenerateEvent> events = new ArrayList<>();
    Iterator<GenerateEvent> it = blocking().generate(r);
    it.forEachRemaining(events::add);
    return events;
  }

  static GenerateEvent summary(List<GenerateEvent> events) {
    GenerateEvent last = events.get(events.size() - 1);
    if (!last.hasSummary()) {
      throw new AssertionError("the stream did not end with a summary: " + last);
    }
    return last;
  }

  @Override
  public void close() {
    if (channel != null) {
      channel.shutdownNow();
    }
    if (controller != null) {
      controller.close();
    }
    for (WorkerServer w : workers) {
      w.kill();
    }
    for (Transformer t : models) {
      t.close();
    }
  }
}
