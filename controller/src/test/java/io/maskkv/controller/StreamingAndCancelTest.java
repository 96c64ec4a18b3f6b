package io.maskkv.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.maskkv.common.model.ModelFamily;
import io.maskkv.proto.v1.CachePolicy;
import io.maskkv.proto.v1.ClusterStatusRequest;
import io.maskkv.proto.v1.ClusterStatusResponse;
import io.maskkv.proto.v1.GenerateEvent;
import io.maskkv.proto.v1.GenerateRequest;
import io.maskkv.proto.v1.WorkerStatus;
import io.maskkv.worker.TestModels;
import io.maskkv.worker.grpc.WorkerServer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Events stream step by step while the session runs; a client cancel frees the workers' KV at once. */
class StreamingAndCancelTest {
  private TestCluster cluster;
  private WorkerServer first;
  private WorkerServer second;

  @BeforeEach
  void start() {
    Path model = ServingModels.model(ModelFamily.LLADA);
    cluster = new TestCluster();
    first = cluster.worker(model, 0, 2);
    second = cluster.worker(model, 2, 4);
    cluster.controller(Map.of());
  }

  @AfterEach
  void stop() {
    cluster.close();
  }

  private static GenerateRequest longRequest(String method) {
    GenerateRequest.Builder b = GenerateRequest.newBuilder().setGenLength(192).setSteps(192).setBlockLength(8)
        .setCache(CachePolicy.newBuilder().setMethod(method).setBudget(8)).setEarlyStop(false);
    for (int t : TestModels.prompt(48, 9)) {
      b.addPromptIds(t);
    }
    return b.build();
  }

  @Test
  void eventsArriveStepByStepWhileTheSessionRuns() throws Exception {
    GenerateRequest r = GenerateRequest.newBuilder().setPrompt("t1 t2 t3 t4 t5 t6 t7 t8 t9 t10 t11 t12")
        .setGenLength(16).setSteps(16).setBlockLength(8).setIncludeEvictions(true).setIncludeKeptPositions(true)
        .setCache(CachePolicy.newBuilder().setMethod("maskkv").setBudget(4)).setEarlyStop(false).build();
    List<GenerateEvent> events = cluster.generate(r);
    assertTrue(events.get(0).hasStarted());
    assertEquals(4, events.get(0).getStarted().getLayerBudgetsCount(), "the plan covers every layer");
    // prefill: one eviction decision per layer, from the shard that holds it, before the first step
    List<GenerateEvent> evictions = events.stream().filter(GenerateEvent::hasEviction).toList();
    assertEquals(4, evictions.size());
    int firstStep = events.indexOf(events.stream().filter(GenerateEvent::hasStep).findFirst().orElseThrow());
    assertTrue(events.indexOf(evictions.get(3)) < firstStep);
    for (GenerateEvent e : evictions) {
      int layer = e.getEviction().getDecision().getLayer();
      assertEquals(TestCluster.address(layer < 2 ? first : second), e.getEviction().getWorker());
      assertEquals(4, e.getEviction().getDecision().getKeptPositionsCount(), "kept positions of each KV head");
      assertTrue(e.getEviction().getDecision().getBytesAfter() < e.getEviction().getDecision().getBytesBefore());
    }
    List<GenerateEvent> steps = events.stream().filter(GenerateEvent::hasStep).toList();
    assertEquals(16, steps.size());
    for (int i = 0; i < steps.size(); i++) {
      assertEquals(i, steps.get(i).getStep().getStep());
      assertEquals(1, steps.get(i).getStep().getCommittedCount(), "one token per step");
    }
    GenerateEvent summary = TestCluster.summary(events);
    String streamed = events.stream().filter(GenerateEvent::hasText).map(e -> e.getText().getText())
        .reduce("", String::concat);
    assertEquals(summary.getSummary().getText(), streamed, "text deltas add up to the answer");
    assertEquals(16, summary.getSummary().getSteps());

    // a long session: its first step reaches the client while the controller still runs it
    Streams s = Streams.start(cluster, longRequest("prefix"));
    s.firstStep.get(30, TimeUnit.SECONDS);
    ClusterStatusResponse during = cluster.blocking().clusterStatus(ClusterStatusRequest.getDefaultInstance());
    assertEquals(1, during.getActiveSessions(), "the session is still running when its first step arrives");
    assertEquals(Status.Code.OK, s.end.get(60, TimeUnit.SECONDS).getCode());
    assertEquals(192, s.events.stream().filter(GenerateEvent::hasStep).count());
  }

  @Test
  void cancellingAStreamFreesEveryShardsKvAtOnce() throws Exception {
    Streams s = Streams.start(cluster, longRequest("prefix"));
    GenerateEvent step = s.firstStep.get(30, TimeUnit.SECONDS);
    assertTrue(step.getStep().getKvBytes() > 0, "the prefix cache holds K/V");
    assertTrue(first.worker().ledger().used() > 0 && second.worker().ledger().used() > 0);
    long cancelled = System.nanoTime();
    s.cancel();
    assertEquals(Status.Code.CANCELLED, s.end.get(10, TimeUnit.SECONDS).getCode());
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while ((first.worker().ledger().sessions() > 0 || second.worker().ledger().sessions() > 0)
        && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    long ms = (System.nanoTime() - cancelled) / 1_000_000;
    assertEquals(0, first.worker().ledger().used(), "first shard's KV bytes back to zero");
    assertEquals(0, second.worker().ledger().used(), "second shard's KV bytes back to zero");
    assertEquals(0, first.worker().ledger().sessions() + second.worker().ledger().sessions());
    assertTrue(ms < 2000, "freed " + ms + " ms after the cancel");
    ClusterStatusResponse after = cluster.blocking().clusterStatus(ClusterStatusRequest.getDefaultInstance());
    deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (after.getActiveSessions() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(10);
      after = cluster.blocking().clusterStatus(ClusterStatusRequest.getDefaultInstance());
    }
    assertEquals(0, after.getActiveSessions());
    for (WorkerStatus w : after.getWorkersList()) {
      assertEquals(0, w.getReservedBytes(), "the controller released " + w.getId() + "'s reservation");
    }
  }
}
