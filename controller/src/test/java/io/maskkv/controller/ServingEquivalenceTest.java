package io.maskkv.controller;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import io.maskkv.common.decode.GenerationOptions;
import io.maskkv.common.decode.GenerationResult;
import io.maskkv.common.model.ModelFamily;
import io.maskkv.proto.v1.CachePolicy;
import io.maskkv.proto.v1.GenerateEvent;
import io.maskkv.proto.v1.GenerateRequest;
import io.maskkv.worker.TestModels;
import io.maskkv.worker.engine.Transformer;
import io.maskkv.worker.session.Generator;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The same request gives exactly the tokens of the in-process engine, whatever the deployment: one worker, two
 * shards splitting the layers (hidden rows cross the wire between them), two replica groups in parallel.
 */
class ServingEquivalenceTest {
  private TestCluster cluster;

  @AfterEach
  void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  static GenerateRequest request(int[] prompt, String method, int budget) {
    GenerateRequest.Builder b = GenerateRequest.newBuilder().setGenLength(16).setSteps(16).setBlockLength(8)
        .setCache(CachePolicy.newBuilder().setMethod(method).setBudget(budget));
    for (int t : prompt) {
      b.addPromptIds(t);
    }
    return b.build();
  }

  static int[] inProcess(Path model, int[] prompt, String method, int budget) {
    GenerationOptions o = GenerationOptions.builder().lengths(16, 16, 8).cache(method, budget).seed(42).build();
    try (Transformer t = Transformer.load(model, Device.cpu())) {
      GenerationResult r = new Generator(t).generate(prompt, o, e -> {});
      return r.response();
    }
  }

  static int[] served(List<GenerateEvent> events) {
    return TestCluster.summary(events).getSummary().getResponseIdsList().stream().mapToInt(Integer::intValue)
        .toArray();
  }

  private void assertSameTokens(Path model, int[] prompt) {
    for (String method : List.of("maskkv", "prefix", "snapkv")) {
      int[] expected = inProcess(model, prompt, method, 8);
      List<GenerateEvent> events = cluster.generate(request(prompt, method, 8));
      assertArrayEquals(expected, served(events), method);
    }
  }

  @Test
  void oneWorkerGivesExactlyTheTokensOfTheInProcessEngine() {
    Path model = ServingModels.model(ModelFamily.LLADA);
    cluster = new TestCluster();
    cluster.worker(model, 0, 4);
    cluster.controller(Map.of());
    assertSameTokens(model, TestModels.prompt(40, 3));
  }

  @Test
  void theReferenceSamplersOptionsTravelThroughTheApi() {
    Path model = ServingModels.model(ModelFamily.LLADA);
    cluster = new TestCluster();
    cluster.worker(model, 0, 4);
    cluster.controller(Map.of());
    int[] prompt = TestModels.prompt(40, 3);
    GenerateRequest plain = request(prompt, "maskkv", 8);
    GenerateRequest parity = plain.toBuilder().setSampler(io.maskkv.proto.v1.SamplerOptions.newBuilder()
        .setFactor(1.0).setLogitsEosInf(true).setConfidenceEosEotInf(true)).build();
    GenerationOptions o = GenerationOptions.builder().lengths(16, 16, 8).cache("maskkv", 8).seed(42).factor(1.0)
        .logitsEosInf(true).confidenceEosEotInf(true).build();
    int[] expected;
    try (Transformer t = Transformer.load(model, Device.cpu())) {
      expected = new Generator(t).generate(prompt, o, e -> {}).response();
    }
    List<GenerateEvent> events = cluster.generate(parity);
    assertArrayEquals(expected, served(events), "the options reach the sampler");
    // the factor rule commits several tokens in a step: fewer steps than the plain one-token-per-step run
    assertTrue(TestCluster.summary(events).getSummary().getSteps()
        < TestCluster.summary(cluster.generate(plain)).getSummary().getSteps(), "factor decoding takes fewer steps");
  }

  @Test
  void twoShardsSplittingTheLayersGiveExactlyTheSameTokens() {
    for (ModelFamily family : ModelFamily.values()) {
      Path model = ServingModels.model(family);
      cluster = new TestCluster();
      cluster.worker(model, 0, 2);
      cluster.worker(model, 2, 4);
      cluster.controller(Map.of());
      List<GenerateEvent> events = cluster.generate(request(TestModels.prompt(40, 5), "maskkv", 8));
      assertEquals(2, events.get(0).getStarted().getWorkersCount(), "one group of two shards");
      assertSameTokens(model, TestModels.prompt(40, 5));
      cluster.close();
      cluster = null;
    }
  }

  @Test
  void twoGroupsServeConcurrentRequestsWithTheSameTokens() throws Exception {
    Path model = ServingModels.model(ModelFamily.LLADA);
    cluster = new TestCluster();
    cluster.worker(model, 0, 2);
    cluster.worker(model, 2, 4);
    cluster.worker(model, 0, 3);
    cluster.worker(model, 3, 4);
    cluster.controller(Map.of());
    List<int[]> prompts = List.of(TestModels.prompt(40, 5), TestModels.prompt(33, 6));
    List<CompletableFuture<List<GenerateEvent>>> running = new ArrayList<>();
    for (int[] p : prompts) {
      running.add(CompletableFuture.supplyAsync(() -> cluster.generate(request(p, "maskkv", 8))));
    }
    List<List<String>> groups = new ArrayList<>();
    for (int i = 0; i < prompts.size(); i++) {
      List<GenerateEvent> events = running.get(i).get();
      groups.add(events.get(0).getStarted().getWorkersList());
      assertArrayEquals(inProcess(model, prompts.get(i), "maskkv", 8), served(events), "request " + i);
    }
    assertNotEquals(groups.get(0), groups.get(1), "two concurrent sessions are routed to different groups");
    assertTrue(groups.stream().allMatch(g -> g.size() == 2));
  }
}
