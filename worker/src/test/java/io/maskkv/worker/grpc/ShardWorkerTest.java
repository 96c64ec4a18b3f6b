package io.maskkv.worker.grpc;

import ai.djl.Device;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.maskkv.common.budget.BudgetPlan;
import io.maskkv.common.budget.EvictionMethods;
import io.maskkv.common.budget.LayerProfile;
import io.maskkv.common.decode.CacheMode;
import io.maskkv.common.decode.GenerationOptions;
import io.maskkv.common.model.ModelFamily;
import io.maskkv.common.wire.WireFormat;
import io.maskkv.proto.v1.CloseSession;
import io.maskkv.proto.v1.InfoRequest;
import io.maskkv.proto.v1.OpenSession;
import io.maskkv.proto.v1.SessionRequest;
import io.maskkv.proto.v1.SessionResponse;
import io.maskkv.proto.v1.StepInput;
import io.maskkv.proto.v1.WorkerInfo;
import io.maskkv.proto.v1.WorkerServiceGrpc;
import io.maskkv.worker.TestModels;
import io.maskkv.worker.engine.Transformer;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The worker's gRPC service on its own: Info, health, a session's life, its errors, and freeing its KV. The service
 * runs on grpc-java's in-process transport, so every call goes through the real server and stub machinery (status
 * codes, cancellation, health) without a socket.
 */
class ShardWorkerTest {
  private Transformer model;
  private WorkerServer server;
  private ManagedChannel channel;

  @BeforeEach
  void start() {
    model = Transformer.load(TestModels.model(ModelFamily.LLADA, 2), Device.cpu());
    String name = InProcessServerBuilder.generateName();
    server = WorkerServer.start(new ShardWorker(model, new WorkerSettings("w1", "", "a", 1_000_000, "")),
        InProcessServerBuilder.forName(name));
    channel = InProcessChannelBuilder.forName(name).build();
  }

  @AfterEach
  void stop() {
    channel.shutdownNow();
    server.kill();
    model.close();
  }

  /** A session stream whose replies and end the test reads one by one. */
  private final class Session implements ClientResponseObserver<SessionRequest, SessionResponse> {
    final BlockingQueue<Object> replies = new LinkedBlockingQueue<>();
    ClientCallStreamObserver<SessionRequest> requests;

    Session() {
      WorkerServiceGrpc.newStub(channel).session(this);
    }

    @Override
    public void beforeStart(ClientCallStreamObserver<SessionRequest> r) {
      requests = r;
    }

    @Override
    public void onNext(SessionResponse r) {
      replies.add(r);
    }

    @Override
    public void onError(Throwable t) {
      replies.add(Status.fromThrowable(t));
    }

    @Override
    public void onCompleted() {
      replies.add(Status.OK);
    }

    Object next() throws InterruptedException {
      Object o = replies.poll(30, TimeUnit.SECONDS);
      if (o == null) {
        throw new AssertionError("no reply");
      }
      return o;
    }
  }

  /** An open as the controller sends it: the plan for the 2-layer test model and exactly the KV it needs. */
  private OpenSession open(String cache, int[] prompt) {
    GenerationOptions o = GenerationOptions.builder().lengths(8, 8, 8).cache(cache, 4).seed(42).build();
    OpenSession.Builder b = OpenSession.newBuilder().setSessionId("s").setOptions(WireFormat.toProto(o))
        .setSendEvictions(true);
    for (int t : prompt) {
      b.addPrompt(t);
    }
    if (CacheMode.parse(cache) == CacheMode.COMPRESSED && EvictionMethods.exists(cache)) {
      // the controller's plan for the 2-layer test model (uniform profile)
      BudgetPlan plan = BudgetPlan.of(o, LayerProfile.uniform(2), prompt.length);
      for (int k : plan.layerBudgets()) {
        b.addLayerBudgets(k);
      }
      b.setReserveBytes(plan.reserveBytes(model.config(), 0, 2));
    } else if (CacheMode.parse(cache) != CacheMode.COMPRESSED) {
      b.setReserveBytes(BudgetPlan.of(o, LayerProfile.uniform(2), prompt.length).reserveBytes(model.config(), 0, 2));
    }
    return b.build();
  }

  private static StepInput firstStep(int p) {
    StepInput.Builder b = StepInput.newBuilder().setBlockStart(p).setBlockEnd(p + 8).setFirstOfBlock(true);
    for (int i = 0; i < 8; i++) {
      b.addResponse(255);
      b.addMasked(p + i);
    }
    return b.build();
  }

  private WorkerInfo info() {
    return WorkerServiceGrpc.newBlockingStub(channel).info(InfoRequest.getDefaultInstance());
  }

  @Test
  void infoReportsTheShardCapacityAndProfile() {
    WorkerInfo i = info();
    assertEquals("w1", i.getWorkerId());
    assertEquals(0, i.getFromLayer());
    assertEquals(2, i.getToLayer());
    assertEquals(2, i.getLayers());
    assertEquals(1_000_000, i.getCapacityBytes());
    assertEquals(1_000_000, i.getFreeBytes());
    assertEquals(2, i.getLayerProfileCount());
    assertEquals("a", i.getGroup());
    assertTrue(i.getServing());
    assertTrue(i.getConfigJson().contains("n_layers") || i.getConfigJson().contains("num_hidden_layers"));
  }

  @Test
  void aWorkerListensBeforeItsShardIsLoadedAndAnswersNotServingUntilThen() {
    WorkerServer early = WorkerServer.bind("127.0.0.1", 0, io.maskkv.common.security.ClusterAccess.OPEN);
    ManagedChannel ch = io.grpc.Grpc.newChannelBuilderForAddress("127.0.0.1", early.port(),
        io.grpc.InsecureChannelCredentials.create()).build();
    try {
      var health = HealthGrpc.newBlockingStub(ch);
      assertEquals(ServingStatus.NOT_SERVING, health.check(HealthCheckRequest.getDefaultInstance()).getStatus());
      assertEquals(Status.Code.UNIMPLEMENTED, org.junit.jupiter.api.Assertions.assertThrows(
          io.grpc.StatusRuntimeException.class, () -> WorkerServiceGrpc.newBlockingStub(ch)
              .info(InfoRequest.getDefaultInstance())).getStatus().getCode(), "no worker service while loading");
      early.serve(new ShardWorker(model, new WorkerSettings("w2", "", "", 1_000_000, "")));
      assertEquals(ServingStatus.SERVING, health.check(HealthCheckRequest.getDefaultInstance()).getStatus());
      assertEquals("w2", WorkerServiceGrpc.newBlockingStub(ch).info(InfoRequest.getDefaultInstance()).getWorkerId());
    } finally {
      ch.shutdownNow();
      early.kill();
    }
  }

  @Test
  void aSessionStepsReportsEvictionsAndFreesItsKvOnClose() throws Exception {
    Session s = new Session();
    int[] prompt = TestModels.prompt(12, 1);
    OpenSession o = open("maskkv", prompt);
    assertTrue(o.getReserveBytes() > 0);
    s.requests.onNext(SessionRequest.newBuilder().setOpen(o).build());
    assertTrue(((SessionResponse) s.next()).hasOpened());
    assertEquals(1_000_000 - o.getReserveBytes(), info().getFreeBytes(), "the reservation counts against the capacity");
    s.requests.onNext(SessionRequest.newBuilder().setStep(firstStep(12)).build());
    int evictions = 0;
    SessionResponse r;
    while (!(r = (SessionResponse) s.next()).hasResult()) {
      assertTrue(r.hasEviction());
      assertEquals(4, r.getEviction().getKeptPerHeadCount());
      evictions++;
    }
    assertEquals(2, evictions, "one decision per layer");
    assertEquals(8, r.getResult().getCandidatesCount(), "the last shard returns one candidate per masked position");
    assertTrue(r.getResult().getKvBytes() > 0);
    assertEquals(r.getResult().getKvBytes(), info().getUsedBytes());
    s.requests.onNext(SessionRequest.newBuilder().setClose(CloseSession.getDefaultInstance()).build());
    assertTrue(((SessionResponse) s.next()).hasClosed());
    assertEquals(Status.OK, s.next());
    assertEquals(0, info().getUsedBytes());
    assertEquals(0, info().getSessions());
  }

  @Test
  void badOptionsAreInvalidArgumentAndTooLargeReservationsResourceExhausted() throws Exception {
    Session bad = new Session();
    bad.requests.onNext(SessionRequest.newBuilder().setOpen(open("zip", new int[] {1, 2})).build());
    assertEquals(Status.Code.INVALID_ARGUMENT, ((Status) bad.next()).getCode());
    Session shortOfThePlan = new Session();
    OpenSession needy = open("prefix", new int[] {1, 2});
    shortOfThePlan.requests.onNext(SessionRequest.newBuilder().setOpen(needy.toBuilder()
        .setReserveBytes(needy.getReserveBytes() - 1)).build());
    Status tooLittle = (Status) shortOfThePlan.next();
    assertEquals(Status.Code.INVALID_ARGUMENT, tooLittle.getCode(), "a reservation below what the plan needs");
    assertTrue(tooLittle.getDescription().contains("reserve_bytes"), tooLittle.getDescription());
    Session big = new Session();
    big.requests.onNext(SessionRequest.newBuilder().setOpen(open("prefix", new int[] {1, 2}).toBuilder()
        .setReserveBytes(2_000_000)).build());
    Status s = (Status) big.next();
    assertEquals(Status.Code.RESOURCE_EXHAUSTED, s.getCode());
    assertTrue(s.getDescription().contains("2000000"), s.getDescription());
    Session early = new Session();
    early.requests.onNext(SessionRequest.newBuilder().setStep(firstStep(2)).build());
    assertEquals(Status.Code.FAILED_PRECONDITION, ((Status) early.next()).getCode());
    assertEquals(0, info().getSessions());
  }

  @Test
  void cancellingTheStreamFreesTheSessionsKvAtOnce() throws Exception {
    Session s = new Session();
    s.requests.onNext(SessionRequest.newBuilder().setOpen(open("prefix", TestModels.prompt(12, 2))).build());
    s.next();
    s.requests.onNext(SessionRequest.newBuilder().setStep(firstStep(12)).build());
    while (!((SessionResponse) s.next()).hasResult()) {
      // evictions (none for prefix)
    }
    assertTrue(info().getUsedBytes() > 0);
    s.requests.cancel("client went away", null);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (info().getSessions() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertEquals(0, info().getUsedBytes());
    assertEquals(1_000_000, info().getFreeBytes());
  }

  @Test
  void healthIsServingUntilTheWorkerDrains() {
    var health = HealthGrpc.newBlockingStub(channel);
    assertEquals(ServingStatus.SERVING, health.check(HealthCheckRequest.newBuilder()
        .setService(WorkerServiceGrpc.SERVICE_NAME).build()).getStatus());
    server.worker().drain();
    assertFalse(info().getServing());
    server.shutdown(Duration.ZERO);
  }

  @Test
  void hiddenRowsRoundTripExactly() {
    float[] v = {1.5f, -0.0f, Float.MIN_VALUE, 3.4e38f, Float.NaN};
    assertArrayEquals(v, WireFormat.unpackFloats(WireFormat.packFloats(v)));
  }
}
