package io.maskkv.controller;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.maskkv.common.decode.GenerationOptions;
import io.maskkv.common.model.ModelFamily;
import io.maskkv.common.text.TextTokenizer;
import io.maskkv.proto.v1.CachePolicy;
import io.maskkv.proto.v1.ClusterStatusRequest;
import io.maskkv.proto.v1.GenerateEvent;
import io.maskkv.proto.v1.GenerateRequest;
import io.maskkv.proto.v1.ListModelsRequest;
import io.maskkv.proto.v1.ModelInfo;
import io.maskkv.worker.TestModels;
import io.maskkv.worker.engine.Transformer;
import io.maskkv.worker.grpc.WorkerRegistrar;
import io.maskkv.worker.grpc.WorkerServer;
import io.maskkv.worker.session.Generator;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The embedded mode (controller plus in-process worker) and workers that join and leave by themselves. */
class EmbeddedAndRegistrationTest {
  private TestCluster cluster;
  private WorkerRegistrar registrar;

  @AfterEach
  void stop() {
    if (registrar != null) {
      registrar.close();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void severalEmbeddedWorkersAreReplicaGroupsThatShareTheLoad() throws Exception {
    Path model = ServingModels.model(ModelFamily.LLADA);
    cluster = new TestCluster().controller(Map.of("maskkv.embedded.enabled", true,
        "maskkv.embedded.model", model.toString(), "maskkv.embedded.workers", 2));
    ModelInfo info = cluster.blocking().listModels(ListModelsRequest.getDefaultInstance()).getModels(0);
    assertEquals(2, info.getGroups(), "two whole-model replica groups");
    int[] a = io.maskkv.worker.TestModels.prompt(40, 31);
    int[] b = io.maskkv.worker.TestModels.prompt(36, 32);
    // two long sessions at once: the second is placed on the replica the first does not occupy
    GenerateRequest.Builder ra = GenerateRequest.newBuilder().setGenLength(128).setSteps(128).setBlockLength(8)
        .setEarlyStop(false).setCache(CachePolicy.newBuilder().setMethod("maskkv").setBudget(8));
    GenerateRequest.Builder rb = ra.clone();
    for (int t : a) {
      ra.addPromptIds(t);
    }
    for (int t : b) {
      rb.addPromptIds(t);
    }
    Streams first = Streams.start(cluster, ra.build());
    first.firstStep.get(30, java.util.concurrent.TimeUnit.SECONDS);
    Streams second = Streams.start(cluster, rb.build());
    assertEquals(io.grpc.Status.Code.OK, first.end.get(60, java.util.concurrent.TimeUnit.SECONDS).getCode());
    assertEquals(io.grpc.Status.Code.OK, second.end.get(60, java.util.concurrent.TimeUnit.SECONDS).getCode());
    List<String> placed = List.of(first.events.get(0).getStarted().getWorkers(0),
        second.events.get(0).getStarted().getWorkers(0));
    assertEquals(java.util.Set.of("embedded", "embedded-2"), java.util.Set.copyOf(placed));
    GenerationOptions o = GenerationOptions.builder().lengths(128, 128, 8).cache("maskkv", 8).earlyStop(false)
        .seed(42).build();
    try (Transformer t = Transformer.load(model, Device.cpu())) {
      assertArrayEquals(new Generator(t).generate(a, o, e -> {}).response(), ServingEquivalenceTest.served(
          first.events));
      assertArrayEquals(new Generator(t).generate(b, o, e -> {}).response(), ServingEquivalenceTest.served(
          second.events));
    }
  }

  @Test
  void embeddedModeServesATextPromptWithTheInProcessEnginesTokens() {
    Path model = ServingModels.model(ModelFamily.LLADA);
    cluster = new TestCluster().controller(Map.of("maskkv.embedded.enabled", true,
        "maskkv.embedded.model", model.toString()));
    String prompt = "t3 t14 t15 t92 t65 t35 t89 t79 t32 t38 t46 t26 t43 t38 t32 t79 t50 t28 t84 t19";
    GenerateRequest r = GenerateRequest.newBuilder().setPrompt(prompt).setGenLength(16).setSteps(16)
        .setBlockLength(8).setCache(CachePolicy.newBuilder().setMethod("maskkv").setBudget(6)).build();
    List<GenerateEvent> events = cluster.generate(r);
    int[] expected;
    try (Transformer t = Transformer.load(model, Device.cpu()); TextTokenizer tok = TextTokenizer.load(model)) {
      int[] ids = tok.encode(prompt);
      assertEquals(20, ids.length);
      expected = new Generator(t).generate(ids, GenerationOptions.builder().lengths(16, 16, 8).cache("maskkv", 6).seed(42).build(), e -> {}).response();
    }
    assertArrayEquals(expected, ServingEquivalenceTest.served(events));
    assertEquals(List.of("embedded"), events.get(0).getStarted().getWorkersList());

    ModelInfo info = cluster.blocking().listModels(ListModelsRequest.getDefaultInstance()).getModels(0);
    assertEquals(model.getFileName().toString(), info.getName());
    assertEquals("llada", info.getFamily());
    assertEquals(4, info.getLayers());
    assertEquals(1, info.getGroups());
    assertTrue(info.getHasProfile());
    assertTrue(info.getCacheMethodsList().contains("maskkv"));
    assertEquals("embedded", cluster.blocking().clusterStatus(ClusterStatusRequest.getDefaultInstance())
        .getWorkers(0).getSource());
    HealthCheckResponse health = HealthGrpc.newBlockingStub(cluster.channel).check(HealthCheckRequest.newBuilder()
        .setService("maskkv.v1.GenerationService").build());
    assertEquals(HealthCheckResponse.ServingStatus.SERVING, health.getStatus());
    // server reflection answers, so grpcurl needs no .proto files
    java.util.concurrent.CompletableFuture<List<String>> services = new java.util.concurrent.CompletableFuture<>();
    var reflection = io.grpc.reflection.v1.ServerReflectionGrpc.newStub(cluster.channel).serverReflectionInfo(
        new io.grpc.stub.StreamObserver<io.grpc.reflection.v1.ServerReflectionResponse>() {
          @Override
          public void onNext(io.grpc.reflection.v1.ServerReflectionResponse r) {
            services.complete(r.getListServicesResponse().getServiceList().stream()
                .map(io.grpc.reflection.v1.ServiceResponse::getName).toList());
          }

          @Override
          public void onError(Throwable t) {
            services.completeExceptionally(t);
          }

          @Override
          public void onCompleted() {
          }
        });
    reflection.onNext(io.grpc.reflection.v1.ServerReflectionRequest.newBuilder().setListServices("*").build());
    reflection.onCompleted();
    assertTrue(services.join().contains("maskkv.v1.GenerationService"), services.join().toString());
  }

  @Test
  void aWorkerJoinsByItselfServesAndLeavesWhenItsHeartbeatsStop() throws Exception {
    Path model = ServingModels.model(ModelFamily.LLADA);
    cluster = new TestCluster().controller(Map.of("maskkv.registration.heartbeat-interval", "100ms",
        "maskkv.worker-timeout", "600ms", "maskkv.poll-interval", "100ms"));
    StatusRuntimeException before = assertThrows(StatusRuntimeException.class,
        () -> cluster.generate(ServingEquivalenceTest.request(TestModels.prompt(20, 1), "maskkv", 8)));
    assertEquals(Status.Code.UNAVAILABLE, before.getStatus().getCode());

    WorkerServer joined = cluster.worker(model, 0, 4);
    joined.worker().advertise(TestCluster.address(joined));
    registrar = new WorkerRegistrar(joined.worker(), "127.0.0.1:" + cluster.controller.port(),
        Duration.ofMillis(100)).start();
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (cluster.blocking().listModels(ListModelsRequest.getDefaultInstance()).getModelsCount() == 0
        && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    List<GenerateEvent> events = cluster.generate(ServingEquivalenceTest.request(TestModels.prompt(20, 1),
        "maskkv", 8));
    assertEquals(List.of(TestCluster.address(joined)), events.get(0).getStarted().getWorkersList());
    assertEquals("registered", cluster.blocking().clusterStatus(ClusterStatusRequest.getDefaultInstance())
        .getWorkers(0).getSource());

    registrar.close(); // heartbeats stop: after the worker timeout it leaves routing
    long gone = System.nanoTime() + 5_000_000_000L;
    while (cluster.blocking().clusterStatus(ClusterStatusRequest.getDefaultInstance()).getWorkersCount() > 0
        && System.nanoTime() < gone) {
      Thread.sleep(50);
    }
    assertEquals(0, cluster.blocking().clusterStatus(ClusterStatusRequest.getDefaultInstance()).getWorkersCount());
    StatusRuntimeException after = assertThrows(StatusRuntimeException.class,
        () -> cluster.generate(ServingEquivalenceTest.request(TestModels.prompt(20, 1), "maskkv", 8)));
    assertEquals(Status.Code.UNAVAILABLE, after.getStatus().getCode());
  }
}
