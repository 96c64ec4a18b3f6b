package io.maskkv.controller;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.maskkv.common.model.ModelFamily;
import io.maskkv.proto.v1.CachePolicy;
import io.maskkv.proto.v1.GenerateEvent;
import io.maskkv.proto.v1.GenerateRequest;
import io.maskkv.worker.TestModels;
import io.maskkv.worker.grpc.WorkerServer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A session whose worker dies mid-stream moves to another complete group and replays there: the client's stream
 * ends normally with exactly the tokens and events of an undisturbed run. (The separate-process version, with
 * kill -9 and SIGSTOP, is the server module's FaultSuiteTest.)
 */
class FailoverTest {
  private TestCluster cluster;

  @AfterEach
  void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  static GenerateRequest request(String method, int genLength, int blockLength) {
    GenerateRequest.Builder b = GenerateRequest.newBuilder().setGenLength(genLength).setSteps(genLength)
        .setBlockLength(blockLength).setEarlyStop(false)
        .setCache(CachePolicy.newBuilder().setMethod(method).setBudget(8));
    for (int t : TestModels.prompt(60, 4)) {
      b.addPromptIds(t);
    }
    return b.build();
  }

  private static String startedOn(List<GenerateEvent> events) {
    return events.stream().filter(GenerateEvent::hasStarted).findFirst().orElseThrow().getStarted().getWorkers(0);
  }

  private static int[] tokens(List<GenerateEvent> events) {
    return ServingEquivalenceTest.served(events);
  }

  /** Starts the request, kills the worker that serves it at step {@code killAt}, returns the events. */
  private List<GenerateEvent> killMidStream(GenerateRequest r, int killAt, List<WorkerServer> candidates)
      throws Exception {
    CompletableFuture<List<String>> serving = new CompletableFuture<>();
    int[] seen = {0};
    Streams s = new Streams(e -> {
      if (e.hasStarted()) {
        serving.complete(e.getStarted().getWorkersList());
      }
      if (e.hasStep() && ++seen[0] == killAt) {
        List<String> ids = serving.join();
        for (WorkerServer w : candidates) {
          if (ids.contains(TestCluster.address(w))) {
            w.kill();
          }
        }
      }
    });
    cluster.async().generate(r, s);
    Status end = s.end.get(120, TimeUnit.SECONDS);
    assertEquals(Status.Code.OK, end.getCode(), end.toString());
    return s.events;
  }

  @Test
  void aKilledWholeModelWorkerIsReplacedAndTheStreamEndsWithTheSameTokens() throws Exception {
    for (String method : List.of("maskkv", "prefix")) {
      Path model = ServingModels.model(ModelFamily.LLADA);
      cluster = new TestCluster();
      WorkerServer a = cluster.worker(model, 0, 4, 1L << 30, "a");
      WorkerServer b = cluster.worker(model, 0, 4, 1L << 30, "b");
      cluster.controller(Map.of());
      GenerateRequest r = request(method, 64, 16);
      List<GenerateEvent> undisturbed = cluster.generate(r);
      List<GenerateEvent> moved = killMidStream(r, 20, List.of(a, b));
      assertArrayEquals(tokens(undisturbed), tokens(moved), method);
      assertEquals(TestCluster.summary(undisturbed).getSummary().getText(),
          TestCluster.summary(moved).getSummary().getText(), method);
      // no event repeated or missing: the same steps, and evictions sent once
      assertEquals(undisturbed.stream().filter(GenerateEvent::hasStep).count(),
          moved.stream().filter(GenerateEvent::hasStep).count(), method);
      assertEquals(undisturbed.stream().filter(GenerateEvent::hasEviction).count(),
          moved.stream().filter(GenerateEvent::hasEviction).count(), method);
      // the killed worker left routing at once: the next request is served by the survivor
      assertArrayEquals(tokens(undisturbed), tokens(cluster.generate(r)), method);
      cluster.close();
      cluster = null;
    }
  }

  @Test
  void aKilledShardOfAShardedGroupMovesTheSessionToAnotherGroup() throws Exception {
    Path model = ServingModels.model(ModelFamily.LLADA);
    cluster = new TestCluster();
    WorkerServer a0 = cluster.worker(model, 0, 2, 1L << 30, "a");
    WorkerServer a1 = cluster.worker(model, 2, 4, 1L << 30, "a");
    WorkerServer b = cluster.worker(model, 0, 4, 1L << 30, "b");
    cluster.controller(Map.of());
    GenerateRequest r = request("maskkv", 64, 16);
    List<GenerateEvent> undisturbed = cluster.generate(r);
    // whichever group serves, kill its last shard (a1 or b)
    List<GenerateEvent> moved = killMidStream(r, 30, List.of(a1, b));
    assertArrayEquals(tokens(undisturbed), tokens(moved));
    // the survivors hold nothing once the session ended
    for (WorkerServer w : List.of(a0, a1, b)) {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (w.worker().ledger().sessions() > 0 && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      assertEquals(0, w.worker().ledger().sessions());
    }
  }

  @Test
  void aWorkerThatRefusesTheOpenSendsTheSessionToAnotherGroup() throws Exception {
    Path model = ServingModels.model(ModelFamily.LLADA);
    cluster = new TestCluster();
    WorkerServer a = cluster.worker(model, 0, 4, 400_000, "a");
    WorkerServer b = cluster.worker(model, 0, 4, 400_000, "b");
    // polls far apart: the controller's view of free KV stays what it was at start
    cluster.controller(Map.of("maskkv.poll-interval", "60s"));
    GenerateRequest r = request("prefix", 16, 16);
    List<GenerateEvent> undisturbed = cluster.generate(r);
    String first = startedOn(undisturbed);
    WorkerServer chosen = first.equals(TestCluster.address(a)) ? a : b;
    WorkerServer other = chosen == a ? b : a;
    // something the controller does not know about fills the worker it would choose next (its own ledger refuses)
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (chosen.worker().ledger().sessions() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(5); // the first session's close reaches the worker just after its summary
    }
    assertTrue(chosen.worker().ledger().reserve("outsider", 390_000));
    List<GenerateEvent> moved = cluster.generate(r);
    assertEquals(TestCluster.address(other), startedOn(moved));
    assertArrayEquals(tokens(undisturbed), tokens(moved));
    assertEquals(1, chosen.worker().ledger().sessions(), "only the outsider");
  }

  @Test
  void withNoGroupLeftTheSessionFailsUnavailableWithARetryHint() throws Exception {
    Path model = ServingModels.model(ModelFamily.LLADA);
    cluster = new TestCluster();
    WorkerServer only = cluster.worker(model, 0, 4);
    cluster.controller(Map.of());
    Streams s = Streams.start(cluster, request("maskkv", 64, 16));
    s.firstStep.get(30, TimeUnit.SECONDS);
    only.kill();
    Status end = s.end.get(30, TimeUnit.SECONDS);
    assertEquals(Status.Code.UNAVAILABLE, end.getCode(), end.toString());
    assertTrue(end.getDescription().contains("Retry"), end.getDescription());
  }
}
