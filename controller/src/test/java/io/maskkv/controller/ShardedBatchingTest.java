package io.maskkv.controller;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.maskkv.common.model.ModelFamily;
import io.maskkv.proto.v1.GenerateEvent;
import io.maskkv.proto.v1.GenerateRequest;
import io.maskkv.worker.TestModels;
import io.maskkv.worker.grpc.ShardWorker;
import io.maskkv.worker.grpc.WorkerServer;
import io.maskkv.worker.metrics.WorkerMetrics;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Sessions on a two-shard group share each hop: the members of one reply of the first shard (the steps that
 * shared a forward there) reach the second shard in one message, and every session keeps exactly the tokens it
 * gets alone in process. A session cancelled in the middle frees its KV on both shards and changes no one else's
 * tokens.
 */
class ShardedBatchingTest {
  private static final List<String> METHODS = List.of("maskkv", "snapkv", "prefix", "full", "pyramidkv", "none");
  private TestCluster cluster;

  @AfterEach
  void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void aTwoShardGroupCarriesEachHopAsOneMessageAndKeepsEverySessionsTokens() throws Exception {
    for (ModelFamily family : ModelFamily.values()) {
      Path model = ServingModels.model(family);
      cluster = new TestCluster();
      WorkerServer first = cluster.worker(model, 0, 2);
      WorkerServer second = cluster.worker(model, 2, 4);
      cluster.controller(Map.of());
      List<int[]> prompts = new ArrayList<>();
      List<Streams> running = new ArrayList<>();
      for (int i = 0; i < METHODS.size(); i++) {
        int[] prompt = TestModels.prompt(30 + 4 * i, 11 + i);
        prompts.add(prompt);
        running.add(Streams.start(cluster, ServingEquivalenceTest.request(prompt, METHODS.get(i), 8)));
      }
      for (int i = 0; i < METHODS.size(); i++) {
        Streams s = running.get(i);
        assertEquals(Status.Code.OK, s.end.get(60, TimeUnit.SECONDS).getCode(), METHODS.get(i));
        assertArrayEquals(ServingEquivalenceTest.inProcess(model, prompts.get(i), METHODS.get(i), 8),
            ServingEquivalenceTest.served(s.events), family + " " + METHODS.get(i) + " batched = alone");
      }
      ShardWorker.HopCounts a = first.worker().hopCounts();
      ShardWorker.HopCounts b = second.worker().hopCounts();
      assertEquals(METHODS.size() * 16L, b.members(), "every step of every session crossed to the second shard");
      assertEquals(a.members(), b.members());
      // each reply of the first shard went on as one message (or merged with another reply that was waiting)
      assertTrue(b.messages() <= a.replies(), a + " then " + b);
      assertTrue(b.messages() < b.members(), "sessions shared messages between the shards: " + b);
      try (WorkerMetrics m = WorkerMetrics.start(second.worker(), "127.0.0.1", 0)) {
        String scrape = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
            java.net.URI.create("http://127.0.0.1:" + m.port() + "/prometheus")).build(),
            java.net.http.HttpResponse.BodyHandlers.ofString()).body();
        assertTrue(scrape.contains("maskkv_worker_hop_steps_total " + (double) b.members()), scrape);
        assertTrue(scrape.contains("maskkv_worker_hop_messages_total " + (double) b.messages()), scrape);
      }
      cluster.close();
      cluster = null;
    }
  }

  @Test
  void cancellingOneSessionMidBatchFreesItsKvAndLeavesTheOthersTokensAlone() throws Exception {
    Path model = ServingModels.model(ModelFamily.LLADA);
    cluster = new TestCluster();
    WorkerServer first = cluster.worker(model, 0, 2);
    WorkerServer second = cluster.worker(model, 2, 4);
    cluster.controller(Map.of());
    int[] victimPrompt = TestModels.prompt(60, 21);
    GenerateRequest.Builder victim = GenerateRequest.newBuilder().setGenLength(192).setSteps(192).setBlockLength(8)
        .setCache(io.maskkv.proto.v1.CachePolicy.newBuilder().setMethod("maskkv").setBudget(8)).setEarlyStop(false);
    for (int t : victimPrompt) {
      victim.addPromptIds(t);
    }
    Streams doomed = Streams.start(cluster, victim.build());
    List<int[]> prompts = List.of(TestModels.prompt(36, 22), TestModels.prompt(44, 23), TestModels.prompt(52, 24));
    List<Streams> others = new ArrayList<>();
    for (int[] p : prompts) {
      others.add(Streams.start(cluster, ServingEquivalenceTest.request(p, "maskkv", 8)));
    }
    doomed.firstStep.get(30, TimeUnit.SECONDS);
    doomed.cancel();
    assertEquals(Status.Code.CANCELLED, doomed.end.get(10, TimeUnit.SECONDS).getCode());
    for (int i = 0; i < prompts.size(); i++) {
      Streams s = others.get(i);
      assertEquals(Status.Code.OK, s.end.get(60, TimeUnit.SECONDS).getCode());
      assertArrayEquals(ServingEquivalenceTest.inProcess(model, prompts.get(i), "maskkv", 8),
          ServingEquivalenceTest.served(s.events), "session " + i);
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while ((first.worker().ledger().sessions() > 0 || second.worker().ledger().sessions() > 0)
        && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertEquals(0, first.worker().ledger().used() + second.worker().ledger().used(), "KV bytes back to zero");
    assertEquals(0, first.worker().ledger().sessions() + second.worker().ledger().sessions());
  }
}
