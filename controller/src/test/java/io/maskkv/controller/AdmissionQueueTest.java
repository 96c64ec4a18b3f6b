package io.maskkv.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.maskkv.common.budget.BudgetPlan;
import io.maskkv.common.budget.LayerProfile;
import io.maskkv.common.decode.GenerationOptions;
import io.maskkv.common.model.ModelConfig;
import io.maskkv.common.model.ModelConfigJson;
import io.maskkv.common.model.ModelFamily;
import io.maskkv.proto.v1.CachePolicy;
import io.maskkv.proto.v1.GenerateEvent;
import io.maskkv.proto.v1.GenerateRequest;
import io.maskkv.worker.TestModels;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Sessions without KV room wait in a bounded FIFO, see their place in the stream, and are admitted when a lease
 * is released; past the queue timeout, or with the queue full, they get RESOURCE_EXHAUSTED. The room is taken by
 * a lease held directly on the controller's admission, so the tests do not depend on how long a session runs.
 */
class AdmissionQueueTest {
  private static final long CAPACITY = 200_000;
  private TestCluster cluster;
  private Path model;
  private ModelConfig config;

  @BeforeEach
  void start() {
    model = ServingModels.model(ModelFamily.LLADA);
    config = ModelConfigJson.read(model);
  }

  @AfterEach
  void stop() {
    cluster.close();
  }

  private void cluster(int queueSize, String timeout) {
    cluster(queueSize, timeout, 64);
  }

  private void cluster(int queueSize, String timeout, int maxSessions) {
    cluster = new TestCluster();
    cluster.worker(model, 0, config.layers(), CAPACITY, "");
    cluster.controller(Map.of("maskkv.queue-size", queueSize, "maskkv.queue-timeout", timeout,
        "maskkv.max-sessions", maxSessions));
  }

  /** Takes all but a few bytes of the worker's KV, as a running session would. */
  private Lease fill() {
    Admission a = cluster.controller.bean(Admission.class);
    WorkerNode w = cluster.controller.bean(WorkerRegistry.class).healthy(model.getFileName().toString()).get(0);
    long take = a.free(w) - 10;
    GenerationOptions o = GenerationOptions.builder().genLength(8).cache("prefix", 0).build();
    // a prefix cache of n positions in every layer reserves n x layers x bytes per position
    int positions = (int) (take / (config.layers() * config.kvBytesPerTokenPerLayer())) - 8;
    Lease l = a.admit(model.getFileName().toString(), config, BudgetPlan.of(o, LayerProfile.uniform(config.layers()),
        positions), new Admission.Waiter() {
          @Override
          public void queued(int position, double waitedMs) {}

          @Override
          public boolean cancelled() {
            return false;
          }
        });
    assertTrue(a.free(w) < 30_000, "the lease leaves no room for a session: " + a.free(w));
    return l;
  }

  private static GenerateRequest request() {
    GenerateRequest.Builder b = GenerateRequest.newBuilder().setGenLength(8).setSteps(8).setBlockLength(8)
        .setCache(CachePolicy.newBuilder().setMethod("prefix"));
    for (int t : TestModels.prompt(20, 1)) {
      b.addPromptIds(t);
    }
    return b.build();
  }

  @Test
  void aQueuedSessionIsAdmittedWhenRoomIsReleased() throws Exception {
    cluster(8, "30s");
    Lease held = fill();
    Streams s = Streams.start(cluster, request());
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (s.events.stream().noneMatch(GenerateEvent::hasQueued) && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    GenerateEvent queued = s.events.get(0);
    assertTrue(queued.hasQueued(), "first event: " + queued);
    assertEquals(1, queued.getQueued().getPosition());
    assertEquals(1, cluster.controller.bean(Admission.class).waiting());
    held.close();
    assertEquals(Status.Code.OK, s.end.get(30, TimeUnit.SECONDS).getCode());
    assertTrue(s.events.stream().anyMatch(GenerateEvent::hasStarted));
    assertEquals(0, cluster.controller.bean(Admission.class).waiting());
  }

  @Test
  void pastMaxSessionsASessionWaitsForASlotNotForAnError() throws Exception {
    cluster(8, "30s", 1);
    Admission a = cluster.controller.bean(Admission.class);
    Streams first = Streams.start(cluster, request());
    assertEquals(Status.Code.OK, first.end.get(30, TimeUnit.SECONDS).getCode());
    awaitNoLeases(a);
    Lease held = fill(); // the one slot (and most of the KV)
    assertEquals(1, a.admitted());
    Streams s = Streams.start(cluster, request());
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (a.waiting() == 0 && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertEquals(1, a.waiting());
    held.close();
    assertEquals(Status.Code.OK, s.end.get(30, TimeUnit.SECONDS).getCode());
    awaitNoLeases(a);
    assertEquals(0, a.admitted());
  }

  /** A session's lease closes just after its summary is sent. */
  private static void awaitNoLeases(Admission a) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (a.admitted() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
  }

  @Test
  void theQueueTimeoutEndsTheWaitWithResourceExhausted() throws Exception {
    cluster(8, "300ms");
    try (Lease held = fill()) {
      Streams s = Streams.start(cluster, request());
      Status end = s.end.get(30, TimeUnit.SECONDS);
      assertEquals(Status.Code.RESOURCE_EXHAUSTED, end.getCode(), end.toString());
      assertTrue(end.getDescription().contains("admission queue"), end.getDescription());
      assertTrue(s.events.get(0).hasQueued());
      assertEquals(0, cluster.controller.bean(Admission.class).waiting());
    }
  }

  @Test
  void aFullQueueRefusesAtOnce() throws Exception {
    cluster(0, "30s");
    try (Lease held = fill()) {
      Streams s = Streams.start(cluster, request());
      Status end = s.end.get(30, TimeUnit.SECONDS);
      assertEquals(Status.Code.RESOURCE_EXHAUSTED, end.getCode(), end.toString());
      assertTrue(end.getDescription().contains("queue is full"), end.getDescription());
      assertTrue(s.events.isEmpty(), "refused before queueing: " + s.events);
    }
  }
}
