package io.maskkv.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.maskkv.common.model.ModelFamily;
import io.maskkv.proto.v1.CachePolicy;
import io.maskkv.proto.v1.ClusterStatusRequest;
import io.maskkv.proto.v1.GenerateRequest;
import io.maskkv.proto.v1.WorkerStatus;
import io.maskkv.worker.TestModels;
import io.maskkv.worker.grpc.WorkerServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Lost workers end their sessions fast with UNAVAILABLE; no worker means UNAVAILABLE; shutdown drains. */
class WorkerFailureTest {
  private TestCluster cluster;

  @AfterEach
  void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  static GenerateRequest longRequest() {
    GenerateRequest.Builder b = GenerateRequest.newBuilder().setGenLength(192).setSteps(192).setBlockLength(8)
        .setCache(CachePolicy.newBuilder().setMethod("prefix")).setEarlyStop(false);
    for (int t : TestModels.prompt(48, 9)) {
      b.addPromptIds(t);
    }
    return b.build();
  }

  @Test
  void aKilledWorkerFailsItsSessionsFastWithUnavailable() throws Exception {
    Path model = ServingModels.model(ModelFamily.LLADA);
    cluster = new TestCluster();
    WorkerServer first = cluster.worker(model, 0, 2);
    WorkerServer second = cluster.worker(model, 2, 4);
    cluster.controller(Map.of());
    Streams s = Streams.start(cluster, longRequest());
    s.firstStep.get(30, TimeUnit.SECONDS);
    String secondAddress = TestCluster.address(second);
    long killed = System.nanoTime();
    second.kill();
    Status end = s.end.get(10, TimeUnit.SECONDS);
    long ms = (System.nanoTime() - killed) / 1_000_000;
    assertEquals(Status.Code.UNAVAILABLE, end.getCode(), end.toString());
    assertTrue(end.getDescription().contains(secondAddress), end.getDescription());
    assertTrue(ms < 3000, "the session failed " + ms + " ms after the kill");
    // the surviving shard freed the session's KV
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (first.worker().ledger().sessions() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertEquals(0, first.worker().ledger().used());
    // the lost shard leaves routing: no complete group, so new requests are UNAVAILABLE at once
    cluster.controller.bean(WorkerRegistry.class).refresh();
    WorkerStatus lost = cluster.blocking().clusterStatus(ClusterStatusRequest.getDefaultInstance()).getWorkersList()
        .stream().filter(w -> w.getId().equals(secondAddress)).findFirst().orElseThrow();
    assertFalse(lost.getHealthy());
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
        () -> cluster.generate(ServingEquivalenceTest.request(TestModels.prompt(20, 1), "maskkv", 8)));
    assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode());
    assertTrue(e.getStatus().getDescription().contains("no complete worker group"), e.getStatus().toString());
  }

  @Test
  void aControllerWithoutWorkersAnswersUnavailable() {
    cluster = new TestCluster().controller(Map.of());
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
        () -> cluster.generate(ServingEquivalenceTest.request(TestModels.prompt(20, 1), "maskkv", 8)));
    assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode());
  }

  @Test
  void aSessionPastTheSessionTimeoutEndsWithDeadlineExceededAndFreesItsKv() throws Exception {
    Path model = ServingModels.model(ModelFamily.LLADA);
    cluster = new TestCluster();
    WorkerServer w = cluster.worker(model, 0, 4);
    cluster.controller(Map.of("maskkv.session-timeout", "300ms"));
    Streams s = Streams.start(cluster, longRequest());
    Status end = s.end.get(10, TimeUnit.SECONDS);
    assertEquals(Status.Code.DEADLINE_EXCEEDED, end.getCode(), end.toString());
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (w.worker().ledger().sessions() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertEquals(0, w.worker().ledger().used());
  }

  @Test
  void drainingEndsRunningSessionsAfterTheTimeoutAndRefusesNewOnes() throws Exception {
    Path model = ServingModels.model(ModelFamily.LLADA);
    cluster = new TestCluster();
    WorkerServer w = cluster.worker(model, 0, 4);
    cluster.controller(Map.of());
    Streams s = Streams.start(cluster, longRequest());
    s.firstStep.get(30, TimeUnit.SECONDS);
    cluster.controller.bean(SessionManager.class).drain(Duration.ofMillis(50));
    Status end = s.end.get(10, TimeUnit.SECONDS);
    assertEquals(Status.Code.UNAVAILABLE, end.getCode(), end.toString());
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
        () -> cluster.generate(ServingEquivalenceTest.request(TestModels.prompt(20, 1), "maskkv", 8)));
    assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode());
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (w.worker().ledger().sessions() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertEquals(0, w.worker().ledger().used(), "the drained session's KV is freed");
  }
}
