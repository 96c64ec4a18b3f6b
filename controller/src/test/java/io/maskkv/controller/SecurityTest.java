package io.maskkv.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import io.maskkv.common.model.ModelFamily;
import io.maskkv.common.security.ClusterAccess;
import io.maskkv.common.security.ClusterSecret;
import io.maskkv.common.decode.GenerationOptions;
import io.maskkv.common.wire.WireFormat;
import io.maskkv.proto.v1.ClusterStatusRequest;
import io.maskkv.proto.v1.GenerateRequest;
import io.maskkv.proto.v1.GenerationServiceGrpc;
import io.maskkv.proto.v1.InfoRequest;
import io.maskkv.proto.v1.OpenSession;
import io.maskkv.proto.v1.RegisterRequest;
import io.maskkv.proto.v1.SessionRequest;
import io.maskkv.proto.v1.SessionResponse;
import io.maskkv.proto.v1.WorkerInfo;
import io.maskkv.proto.v1.WorkerRegistryGrpc;
import io.maskkv.proto.v1.WorkerServiceGrpc;
import io.maskkv.worker.TestModels;
import io.maskkv.worker.grpc.WorkerLimits;
import io.maskkv.worker.grpc.WorkerServer;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Who may do what: clients need an API token; only holders of the cluster secret may register, open sessions on a
 * worker or read it; registrations cannot take over a live or static worker's id; bad frames are cheap; health says
 * whether a complete group serves.
 */
class SecurityTest {
  static final String SECRET = "test-cluster-secret-0123456789";
  static final String TOKEN = "test-api-token-0123456789";
  private TestCluster cluster;
  private ManagedChannel raw;

  @AfterEach
  void stop() {
    if (raw != null) {
      raw.shutdownNow();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  private static ClusterAccess access() {
    return ClusterAccess.of(new ClusterSecret(SECRET));
  }

  private TestCluster securedCluster() {
    Path model = ServingModels.model(ModelFamily.LLADA);
    cluster = new TestCluster();
    cluster.worker(model, 0, 4, 1L << 30, "", access());
    cluster.controller(Map.of("maskkv.auth.cluster-secret", SECRET, "maskkv.auth.api-token", TOKEN));
    return cluster;
  }

  private static GenerateRequest request() {
    return ServingEquivalenceTest.request(TestModels.prompt(20, 1), "maskkv", 8);
  }

  private static Status.Code code(Runnable call) {
    return assertThrows(StatusRuntimeException.class, call::run).getStatus().getCode();
  }

  @Test
  void withAuthOnOnlyAValidTokenGetsThrough() {
    securedCluster();
    assertEquals(Status.Code.UNAUTHENTICATED, code(() -> cluster.generate(request())), "no token");
    cluster.token("not-the-token-0123456789");
    assertEquals(Status.Code.UNAUTHENTICATED, code(() -> cluster.generate(request())), "wrong token");
    cluster.token(TOKEN);
    assertEquals(16, TestCluster.summary(cluster.generate(request())).getSummary().getResponseIdsCount());
  }

  @Test
  void aWorkerWithoutTheClusterSecretNeverJoinsRouting() {
    Path model = ServingModels.model(ModelFamily.LLADA);
    cluster = new TestCluster();
    cluster.worker(model, 0, 4); // no credential: it cannot prove itself to the controller
    cluster.worker(model, 0, 4, 1L << 30, "", ClusterAccess.of(new ClusterSecret("another-secret-0123456789")));
    cluster.controller(Map.of("maskkv.auth.cluster-secret", SECRET));
    cluster.controller.bean(WorkerRegistry.class).refresh();
    var status = cluster.blocking().clusterStatus(ClusterStatusRequest.getDefaultInstance());
    assertEquals(2, status.getWorkersCount());
    status.getWorkersList().forEach(w -> assertFalse(w.getHealthy(), w.toString()));
    assertEquals(Status.Code.UNAVAILABLE, code(() -> cluster.generate(request())));
  }

  @Test
  void registrationNeedsTheSecretAndCannotTakeOverAnotherWorkersId() {
    securedCluster();
    cluster.token(TOKEN);
    raw = Grpc.newChannelBuilderForAddress("127.0.0.1", cluster.controller.port(), InsecureChannelCredentials.create())
        .build();
    String staticId = TestCluster.address(cluster.workers.get(0));
    WorkerInfo fake = cluster.workers.get(0).worker().info().toBuilder().setWorkerId("w1")
        .setAddress("127.0.0.1:1").build();
    // no credential: refused
    assertEquals(Status.Code.UNAUTHENTICATED, code(() -> WorkerRegistryGrpc.newBlockingStub(raw)
        .register(RegisterRequest.newBuilder().setInfo(fake).build())));
    ManagedChannel signed = access().channel("127.0.0.1:" + cluster.controller.port()).build();
    try {
      var registry = WorkerRegistryGrpc.newBlockingStub(signed);
      registry.register(RegisterRequest.newBuilder().setInfo(fake).build());
      // a second registration under the live id from elsewhere: refused
      assertEquals(Status.Code.ALREADY_EXISTS, code(() -> registry.register(RegisterRequest.newBuilder()
          .setInfo(fake.toBuilder().setAddress("127.0.0.1:2")).build())));
      // nor may anyone register under a static worker's id; the static worker keeps serving
      assertEquals(Status.Code.ALREADY_EXISTS, code(() -> registry.register(RegisterRequest.newBuilder()
          .setInfo(fake.toBuilder().setWorkerId(staticId)).build())));
      assertTrue(cluster.controller.bean(WorkerRegistry.class).get(staticId).healthy());
    } finally {
      signed.shutdownNow();
    }
  }

  @Test
  void aWorkerServesOnlyTheClusterAndNeverLessThanThePlanNeeds() throws Exception {
    securedCluster();
    WorkerServer w = cluster.workers.get(0);
    raw = Grpc.newChannelBuilderForAddress("127.0.0.1", w.port(), InsecureChannelCredentials.create()).build();
    assertEquals(Status.Code.UNAUTHENTICATED, code(() -> WorkerServiceGrpc.newBlockingStub(raw)
        .info(InfoRequest.getDefaultInstance())), "Info without the credential");
    OpenSession.Builder open = OpenSession.newBuilder().setSessionId("greedy").setReserveBytes(0)
        .setOptions(WireFormat.toProto(GenerationOptions.builder().lengths(16, 16, 16).cache("prefix", 0).build()));
    for (int t : TestModels.prompt(20, 1)) {
      open.addPrompt(t);
    }
    assertEquals(Status.Code.UNAUTHENTICATED, sessionOpen(raw, open.build()), "a session without the credential");
    ManagedChannel signed = access().channel("127.0.0.1:" + w.port()).build();
    try {
      assertEquals(Status.Code.INVALID_ARGUMENT, sessionOpen(signed, open.build()),
          "a reservation below what the plan needs");
      assertEquals(0, w.worker().ledger().sessions());
    } finally {
      signed.shutdownNow();
    }
    // health stays open to probes
    assertEquals(HealthCheckResponse.ServingStatus.SERVING, HealthGrpc.newBlockingStub(raw)
        .check(HealthCheckRequest.getDefaultInstance()).getStatus());
  }

  @Test
  void workerLimitsEndIdleStreamsAndCapSessions() throws Exception {
    securedCluster();
    WorkerServer w = cluster.workers.get(0);
    w.worker().limits(new WorkerLimits(1, Duration.ofSeconds(1)));
    GenerationOptions o = GenerationOptions.builder().lengths(16, 16, 16).cache("none", 0).build();
    OpenSession open = OpenSession.newBuilder().setSessionId("idle").setOptions(WireFormat.toProto(o))
        .addAllPrompt(java.util.Arrays.stream(TestModels.prompt(20, 1)).boxed().toList()).build();
    ManagedChannel signed = access().channel("127.0.0.1:" + w.port()).build();
    try {
      CompletableFuture<Status> idleEnd = new CompletableFuture<>();
      StreamObserver<SessionRequest> idle = WorkerServiceGrpc.newStub(signed).session(new StreamObserver<>() {
        @Override
        public void onNext(SessionResponse r) {}

        @Override
        public void onError(Throwable t) {
          idleEnd.complete(Status.fromThrowable(t));
        }

        @Override
        public void onCompleted() {
          idleEnd.complete(Status.OK);
        }
      });
      idle.onNext(SessionRequest.newBuilder().setOpen(open).build());
      Thread.sleep(300);
      assertEquals(1, w.worker().ledger().sessions());
      assertEquals(Status.Code.RESOURCE_EXHAUSTED, sessionOpen(signed, open), "a second session over max-sessions");
      // the opened session then sends nothing: it is ended and forgotten
      assertEquals(Status.Code.DEADLINE_EXCEEDED, idleEnd.get(10, TimeUnit.SECONDS).getCode());
      assertEquals(0, w.worker().ledger().sessions());
    } finally {
      signed.shutdownNow();
    }
  }

  @Test
  void promptAndPerTokenLimitsAreEnforced() throws Exception {
    Path model = ServingModels.model(ModelFamily.LLADA);
    cluster = new TestCluster();
    cluster.worker(model, 0, 4, 1L << 30, "", access());
    cluster.controller(Map.of("maskkv.auth.cluster-secret", SECRET, "maskkv.auth.api-token", TOKEN,
        "maskkv.max-prompt-tokens", "16", "maskkv.max-sessions-per-token", "1"));
    cluster.token(TOKEN);
    StatusRuntimeException tooLong = assertThrows(StatusRuntimeException.class, () -> cluster.generate(request()));
    assertEquals(Status.Code.INVALID_ARGUMENT, tooLong.getStatus().getCode());
    assertTrue(tooLong.getStatus().getDescription().contains("max-prompt-tokens"));
    GenerateRequest shortOne = ServingEquivalenceTest.request(TestModels.prompt(12, 1), "prefix", 8).toBuilder()
        .setGenLength(128).setSteps(128).setBlockLength(8).setEarlyStop(false).build();
    Streams first = Streams.start(cluster, shortOne);
    first.firstStep.get(30, TimeUnit.SECONDS);
    StatusRuntimeException second = assertThrows(StatusRuntimeException.class, () -> cluster.generate(shortOne));
    assertEquals(Status.Code.RESOURCE_EXHAUSTED, second.getStatus().getCode());
    assertTrue(second.getStatus().getDescription().contains("max-sessions-per-token"));
    first.cancel();
    first.end.get(30, TimeUnit.SECONDS);
  }

  private static Status.Code sessionOpen(ManagedChannel ch, OpenSession open) throws Exception {
    CompletableFuture<Status> end = new CompletableFuture<>();
    StreamObserver<SessionRequest> requests = WorkerServiceGrpc.newStub(ch).session(new StreamObserver<>() {
      @Override
      public void onNext(SessionResponse r) {
        end.complete(Status.OK);
      }

      @Override
      public void onError(Throwable t) {
        end.complete(Status.fromThrowable(t));
      }

      @Override
      public void onCompleted() {
        end.complete(Status.OK);
      }
    });
    requests.onNext(SessionRequest.newBuilder().setOpen(open).build());
    Status s = end.get(10, TimeUnit.SECONDS);
    requests.onCompleted();
    return s.getCode();
  }

  @Test
  void malformedFramesAreInvalidArgumentAndTheControllerKeepsServing() {
    Path model = ServingModels.model(ModelFamily.LLADA);
    cluster = new TestCluster();
    cluster.worker(model, 0, 4);
    cluster.controller(Map.of());
    MethodDescriptor<byte[], byte[]> generate = MethodDescriptor.<byte[], byte[]>newBuilder()
        .setType(MethodDescriptor.MethodType.SERVER_STREAMING)
        .setFullMethodName(GenerationServiceGrpc.getGenerateMethod().getFullMethodName())
        .setRequestMarshaller(new Bytes()).setResponseMarshaller(new Bytes()).build();
    byte[][] frames = {
        {(byte) 0xff, (byte) 0xff, (byte) 0xff, 0x01}, // a truncated varint
        {0x0a, 0x05, (byte) 0xc3, 0x28, 0x41, 0x42, 0x43}, // field 1 (prompt) with invalid UTF-8
        {0x12, 0x7f, 0x01}, // a length past the end
    };
    for (byte[] f : frames) {
      ClientCall<byte[], byte[]> call = cluster.channel.newCall(generate, CallOptions.DEFAULT
          .withDeadlineAfter(10, TimeUnit.SECONDS));
      StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
          () -> ClientCalls.blockingServerStreamingCall(call, f).forEachRemaining(x -> {}));
      assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode(), e.getStatus().toString());
    }
    assertEquals(Status.Code.INVALID_ARGUMENT, code(() -> cluster.generate(request().toBuilder()
        .setSampler(io.maskkv.proto.v1.SamplerOptions.newBuilder().setTopP(Double.NaN)).build())), "NaN top_p");
    assertEquals(Status.Code.INVALID_ARGUMENT, code(() -> cluster.generate(request().toBuilder()
        .setSampler(io.maskkv.proto.v1.SamplerOptions.newBuilder().setTemperature(Double.POSITIVE_INFINITY))
        .build())), "infinite temperature");
    assertEquals(16, TestCluster.summary(cluster.generate(request())).getSummary().getResponseIdsCount());
  }

  @Test
  void healthIsServingOnlyWhileACompleteGroupServes() throws Exception {
    Path model = ServingModels.model(ModelFamily.LLADA);
    cluster = new TestCluster();
    WorkerServer first = cluster.worker(model, 0, 2);
    cluster.controller(Map.of());
    var health = HealthGrpc.newBlockingStub(cluster.channel);
    assertEquals(HealthCheckResponse.ServingStatus.NOT_SERVING,
        health.check(HealthCheckRequest.getDefaultInstance()).getStatus(), "half a model is not a group");
    WorkerServer second = cluster.worker(model, 2, 4);
    cluster.controller.bean(WorkerRegistry.class).register(second.worker().info().toBuilder()
        .setAddress(TestCluster.address(second)).build());
    assertEquals(HealthCheckResponse.ServingStatus.SERVING, awaitHealth(health, true));
    second.kill();
    cluster.controller.bean(WorkerRegistry.class).refresh();
    assertEquals(HealthCheckResponse.ServingStatus.NOT_SERVING, awaitHealth(health, false));
    assertEquals(HealthCheckResponse.ServingStatus.NOT_SERVING, health.check(HealthCheckRequest.newBuilder()
        .setService(GenerationServiceGrpc.SERVICE_NAME).build()).getStatus());
    first.kill();
  }

  private static HealthCheckResponse.ServingStatus awaitHealth(HealthGrpc.HealthBlockingStub health, boolean serving)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    HealthCheckResponse.ServingStatus s;
    do {
      s = health.check(HealthCheckRequest.getDefaultInstance()).getStatus();
      if ((s == HealthCheckResponse.ServingStatus.SERVING) == serving) {
        return s;
      }
      Thread.sleep(50);
    } while (System.nanoTime() < deadline);
    return s;
  }

  private static final class Bytes implements MethodDescriptor.Marshaller<byte[]> {
    @Override
    public InputStream stream(byte[] value) {
      return new ByteArrayInputStream(value);
    }

    @Override
    public byte[] parse(InputStream stream) {
      try {
        return stream.readAllBytes();
      } catch (java.io.IOException e) {
        throw new IllegalStateException(e);
      }
    }
  }
}
