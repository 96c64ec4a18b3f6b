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
