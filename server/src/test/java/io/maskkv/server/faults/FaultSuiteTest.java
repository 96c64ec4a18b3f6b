package io.maskkv.server.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.maskkv.common.security.BearerToken;
import io.maskkv.common.security.ClusterAccess;
import io.maskkv.common.security.ClusterSecret;
import io.maskkv.proto.v1.CachePolicy;
import io.maskkv.proto.v1.ClusterStatusRequest;
import io.maskkv.proto.v1.GenerateEvent;
import io.maskkv.proto.v1.GenerateRequest;
import io.maskkv.proto.v1.GenerationServiceGrpc;
import io.maskkv.proto.v1.InfoRequest;
import io.maskkv.proto.v1.RegisterRequest;
import io.maskkv.proto.v1.SamplerOptions;
import io.maskkv.proto.v1.WorkerInfo;
import io.maskkv.proto.v1.WorkerRegistryGrpc;
import io.maskkv.proto.v1.WorkerServiceGrpc;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The fault suite: a controller and three whole-model workers of the bundled model, each its own JVM on loopback
 * with the cluster secret and an API token, as users deploy them; faults are real signals. Each scenario adds a
 * row to {@code target/reliability/fault-suite.md} (sessions, faults, completions, bytes leaked, log bytes), the
 * table docs/reliability.md reports.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FaultSuiteTest {
  static final String SECRET = "fault-suite-cluster-secret-0123456789";
  static final String TOKEN = "fault-suite-api-token-0123456789";
  static final Path MODEL = Path.of("../models/maskkv-tiny");
  static final int PROMPTS = 3;
  private final Path dir = Path.of("target", "reliability");
  private final List<ServingProcess> workers = new ArrayList<>();
  private final List<String[]> rows = new CopyOnWriteArrayList<>();
  private final Random random = new Random(20261128);
  private ServingProcess controller;
  private ManagedChannel channel;
  private GenerationServiceGrpc.GenerationServiceStub client;
  private int[][] expected;
  /** The longest gap between two step events the faulted session's client saw in the current scenario. */
  private long longestPauseMs;

  @BeforeAll
  void startCluster() throws Exception {
    Files.createDirectories(dir);
    for (int i = 0; i < 3; i++) {
      Path log = dir.resolve("worker-" + i + ".log");
      Files.deleteIfExists(log);
      workers.add(ServingProcess.start(log, Map.of(ClusterSecret.ENV, SECRET), "worker", "--model", MODEL.toString(),
          "--host", "127.0.0.1", "--port", "0", "--kv-bytes", "256MB"));
    }
    Path log = dir.resolve("controller.log");
    Files.deleteIfExists(log);
    controller = ServingProcess.start(log, Map.of(ClusterSecret.ENV, SECRET, "MASKKV_API_TOKEN", TOKEN,
        "MASKKV_STEP_TIMEOUT", "2s", "MASKKV_POLL_INTERVAL", "300ms", "MASKKV_WORKER_TIMEOUT", "2s",
        "MASKKV_DRAIN_TIMEOUT", "30s"), "serve", "--no-embedded", "--host", "127.0.0.1", "--port", "0",
        "--workers", String.join(",", workers.stream().map(ServingProcess::address).toList()));
    channel = Grpc.newChannelBuilderForAddress("127.0.0.1", controller.port(), InsecureChannelCredentials.create())
        .build();
    client = GenerationServiceGrpc.newStub(channel).withCallCredentials(new BearerToken(TOKEN));
    awaitGroups(3);
    expected = new int[PROMPTS][];
    for (int p = 0; p < PROMPTS; p++) {
      Run r = Run.start(client, request(p, 64), e -> {});
      assertEquals(Status.Code.OK, r.end.get(120, TimeUnit.SECONDS).getCode());
      expected[p] = r.tokens();
    }
  }

  @AfterAll
  void stopCluster() throws IOException {
    if (channel != null) {
      channel.shutdownNow();
    }
    if (controller != null) {
      controller.close();
    }
    workers.forEach(ServingProcess::close);
    StringBuilder md = new StringBuilder("| scenario | sessions run | faults injected | sessions completed "
        + "(same tokens) | bytes leaked | log bytes written | notes |\n|---|---:|---:|---:|---:|---:|---|\n");
    StringBuilder csv = new StringBuilder("scenario,sessions,faults,completed,leaked_bytes,log_bytes,notes\n");
    for (String[] r : rows) {
      md.append("| ").append(String.join(" | ", r)).append(" |\n");
      csv.append(String.join(",", Arrays.stream(r).map(c -> c.contains(",") ? "\"" + c + "\"" : c).toList()))
          .append('\n');
    }
    Files.writeString(dir.resolve("fault-suite.md"), md);
    Files.writeString(dir.resolve("fault-suite.csv"), csv);
    System.out.println(md);
  }

  /** The bundled model's vocabulary is 612 words: prompts of 200 ids, a different one per index. */
  static GenerateRequest request(int prompt, int genLength) {
    Random r = new Random(1000 + prompt);
    GenerateRequest.Builder b = GenerateRequest.newBuilder().setGenLength(genLength).setSteps(genLength)
        .setBlockLength(Math.min(16, genLength)).setEarlyStop(false)
        .setCache(CachePolicy.newBuilder().setMethod(prompt % 2 == 0 ? "maskkv" : "prefix").setBudget(16));
    for (int i = 0; i < 200; i++) {
      b.addPromptIds(10 + r.nextInt(590));
    }
    return b.build();
  }

  private void awaitGroups(int n) throws InterruptedException {
    var stub = GenerationServiceGrpc.newBlockingStub(channel).withCallCredentials(new BearerToken(TOKEN));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      if (stub.withDeadlineAfter(5, TimeUnit.SECONDS).clusterStatus(ClusterStatusRequest.getDefaultInstance())
          .getGroupsCount() >= n) {
        return;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("fewer than " + n + " worker groups after 60 s");
  }

  private long logBytes() {
    long sum = controller.logBytes();
    for (ServingProcess w : workers) {
      sum += w.logBytes();
    }
    return sum;
  }

  /** KV bytes and sessions the workers still hold, once the cluster has settled (each asked with the secret). */
  private long leakedBytes() throws InterruptedException {
    ClusterAccess access = ClusterAccess.of(new ClusterSecret(SECRET));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    long held;
    do {
      held = 0;
      for (ServingProcess w : workers) {
        if (!w.alive()) {
          continue;
        }
        ManagedChannel ch = access.channel(w.address()).build();
        try {
          WorkerInfo i = WorkerServiceGrpc.newBlockingStub(ch).withDeadlineAfter(5, TimeUnit.SECONDS)
              .info(InfoRequest.getDefaultInstance());
          held += i.getUsedBytes() + i.getSessions() + (i.getCapacityBytes() - i.getFreeBytes());
        } finally {
          ch.shutdownNow();
        }
      }
      if (held == 0) {
        return 0;
      }
      Thread.sleep(100);
    } while (System.nanoTime() < deadline);
    return held;
  }

  private ServingProcess serving(Run r) {
    List<String> ids = r.workers.join();
    return workers.stream().filter(w -> ids.contains(w.address())).findFirst().orElseThrow();
  }

  /**
   * Starts {@code sessions} concurrent generations, applies {@code fault} to the worker serving the first one when
   * it reaches step {@code atStep}, and checks that every session ends normally with the undisturbed tokens.
   * Returns the faulted worker.
   */
  private ServingProcess faultRound(int sessions, int atStep, Consumer<ServingProcess> fault) throws Exception {
    CompletableFuture<ServingProcess> victim = new CompletableFuture<>();
    List<Run> runs = new ArrayList<>();
    long[] last = {0};
    for (int p = 0; p < sessions; p++) {
      int[] steps = {0};
      Run[] self = new Run[1];
      Consumer<GenerateEvent> onEvent = p != 0 ? e -> {} : e -> {
        if (e.hasStep()) {
          long now = System.nanoTime();
          if (last[0] != 0) {
            longestPauseMs = Math.max(longestPauseMs, (now - last[0]) / 1_000_000);
          }
          last[0] = now;
        }
        if (e.hasStep() && ++steps[0] == atStep && !victim.isDone()) {
          ServingProcess w = serving(self[0]);
          fault.accept(w);
          victim.complete(w);
        }
      };
      self[0] = Run.start(client, request(p, 64), onEvent);
      runs.add(self[0]);
    }
    for (int p = 0; p < sessions; p++) {
      Status end = runs.get(p).end.get(180, TimeUnit.SECONDS);
      assertEquals(Status.Code.OK, end.getCode(), "prompt " + p + ": " + end);
      assertTrue(Arrays.equals(expected[p], runs.get(p).tokens()), "prompt " + p + ": tokens differ");
    }
    return victim.get(1, TimeUnit.SECONDS);
  }

  @Test
  @Order(1)
  void killNineAtRandomStepsEverySessionCompletesWithTheSameTokens() throws Exception {
    long logs = logBytes();
    longestPauseMs = 0;
    int rounds = 4;
    for (int round = 0; round < rounds; round++) {
      ServingProcess killed = faultRound(PROMPTS, 3 + random.nextInt(58), w -> {
        try {
          w.kill9();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      });
      killed.restart();
      awaitGroups(3);
    }
    rows.add(new String[] {"kill -9 the serving worker at a random step (4 rounds of 3 concurrent sessions)",
        "" + rounds * PROMPTS, "" + rounds, "" + rounds * PROMPTS, "" + leakedBytes(), "" + (logBytes() - logs),
        "replayed on another group (longest pause the client saw: " + longestPauseMs + " ms); killed worker "
            + "restarted each round"});
  }

  @Test
  @Order(2)
  void sigstopAWorkerIsDetectedAndTheSessionsReplayed() throws Exception {
    long logs = logBytes();
    longestPauseMs = 0;
    int rounds = 2;
    for (int round = 0; round < rounds; round++) {
      faultRound(2, 3 + random.nextInt(40), w -> w.signal("STOP")).signal("CONT");
      awaitGroups(3); // the stopped worker answers again and returns to routing
    }
    rows.add(new String[] {"SIGSTOP the serving worker at a random step (2 rounds of 2 sessions)", "" + rounds * 2,
        "" + rounds, "" + rounds * 2, "" + leakedBytes(), "" + (logBytes() - logs),
        "detected by the missed Info poll (every 300 ms here) before the step timeout (2 s + 2 ms/token); longest "
            + "pause the client saw: " + longestPauseMs + " ms; SIGCONT returns the worker to routing"});
  }

  @Test
  @Order(3)
  void impostorsAreRefused() throws Exception {
    long logs = logBytes();
    ManagedChannel raw = Grpc.newChannelBuilderForAddress("127.0.0.1", controller.port(),
        InsecureChannelCredentials.create()).build();
    ServingProcess fake = null;
    try {
      // a worker process started without the cluster credential tries to join
      Path log = dir.resolve("fake-worker.log");
      Files.deleteIfExists(log);
      fake = ServingProcess.start(log, Map.of(), "worker", "--model", MODEL.toString(), "--host", "127.0.0.1",
          "--port", "0", "--id", "impostor", "--controller", "127.0.0.1:" + controller.port());
      Thread.sleep(3000);
      var stub = GenerationServiceGrpc.newBlockingStub(channel).withCallCredentials(new BearerToken(TOKEN));
      assertTrue(stub.clusterStatus(ClusterStatusRequest.getDefaultInstance()).getWorkersList().stream()
          .noneMatch(w -> w.getId().equals("impostor")), "the impostor never joins");
      assertTrue(Files.readString(log).contains("refused this worker"), "the impostor is told why");
      WorkerInfo info = WorkerInfo.newBuilder().setWorkerId(workers.get(0).address()).setAddress("127.0.0.1:1")
          .setModel("maskkv-tiny").build();
      // registering without the credential, and under a live worker's id with it
      assertEquals(Status.Code.UNAUTHENTICATED, code(() -> WorkerRegistryGrpc.newBlockingStub(raw)
          .register(RegisterRequest.newBuilder().setInfo(info).build())));
      ManagedChannel signed = ClusterAccess.of(new ClusterSecret(SECRET)).channel(controller.address()).build();
      try {
        assertEquals(Status.Code.ALREADY_EXISTS, code(() -> WorkerRegistryGrpc.newBlockingStub(signed)
            .register(RegisterRequest.newBuilder().setInfo(info).build())));
      } finally {
        signed.shutdownNow();
      }
      // a client calling a worker directly
      ManagedChannel direct = Grpc.newChannelBuilderForAddress("127.0.0.1", workers.get(0).port(),
          InsecureChannelCredentials.create()).build();
      try {
        assertEquals(Status.Code.UNAUTHENTICATED, code(() -> WorkerServiceGrpc.newBlockingStub(direct)
            .info(InfoRequest.getDefaultInstance())));
      } finally {
        direct.shutdownNow();
      }
      // clients without a token, or with a wrong one
      assertEquals(Status.Code.UNAUTHENTICATED, code(() -> GenerationServiceGrpc.newBlockingStub(raw)
          .generate(request(0, 8)).forEachRemaining(e -> {})));
      assertEquals(Status.Code.UNAUTHENTICATED, code(() -> GenerationServiceGrpc.newBlockingStub(raw)
          .withCallCredentials(new BearerToken("wrong-token-0123456789")).generate(request(0, 8))
          .forEachRemaining(e -> {})));
    } finally {
      raw.shutdownNow();
      if (fake != null) {
        fake.close();
      }
    }
    rows.add(new String[] {"impostors: a worker without the secret registers; register under a live id; a client "
        + "calls a worker; clients without or with a wrong token", "0", "5", "0", "" + leakedBytes(),
        "" + (logBytes() - logs), "all refused (UNAUTHENTICATED / ALREADY_EXISTS); the real workers kept serving"});
  }

  private static Status.Code code(Runnable r) {
    try {
      r.run();
      return Status.Code.OK;
    } catch (StatusRuntimeException e) {
      return e.getStatus().getCode();
    }
  }

  @Test
  @Order(4)
  void aThousandCancellationsAtRandomPointsLeakNothing() throws Exception {
    long logs = logBytes();
    // RSS after the first half (pools and JIT warm) against after the second: a leak grows with sessions
    cancelRandomly(500);
    long[] rssHalf = workers.stream().mapToLong(ServingProcess::rssKib).toArray();
    cancelRandomly(500);
    long leaked = leakedBytes();
    assertEquals(0, leaked, "KV bytes and sessions held after the cancellations");
    long[] rssAfter = workers.stream().mapToLong(ServingProcess::rssKib).toArray();
    long growth = Long.MIN_VALUE;
    for (int i = 0; i < rssAfter.length; i++) {
      growth = Math.max(growth, rssAfter[i] - rssHalf[i]);
    }
    assertTrue(growth < 16 * 1024, "a worker's RSS grew by " + growth + " KiB over the second 500 cancellations");
    rows.add(new String[] {"1,000 cancellations at random points (0-150 ms after the call, 8 at a time)", "1000",
        "1000", "0 (all cancelled by design)", "" + leaked, "" + (logBytes() - logs),
        "largest worker RSS change over the second 500: " + growth + " KiB"});
  }

  private void cancelRandomly(int n) throws InterruptedException {
    Semaphore inFlight = new Semaphore(8);
    AtomicInteger ended = new AtomicInteger();
    for (int i = 0; i < n; i++) {
      inFlight.acquire();
      int delayMs = random.nextInt(150);
      Run r = Run.start(client, request(i % PROMPTS, 32), e -> {});
      r.end.whenComplete((s, t) -> {
        ended.incrementAndGet();
        inFlight.release();
      });
      CompletableFuture.delayedExecutor(delayMs, TimeUnit.MILLISECONDS).execute(r::cancel);
    }
    inFlight.acquire(8);
    inFlight.release(8);
    assertEquals(n, ended.get());
  }

  @Test
  @Order(5)
  void tenThousandMalformedAndRandomRequestsCrashAndHangNothing() throws Exception {
    long logs = logBytes();
    int n = 10_000;
    Map<String, AtomicInteger> statuses = new ConcurrentHashMap<>();
    Semaphore inFlight = new Semaphore(32);
    MethodDescriptor<byte[], byte[]> generate = raw(GenerationServiceGrpc.getGenerateMethod());
    MethodDescriptor<byte[], byte[]> register = raw(WorkerRegistryGrpc.getRegisterMethod());
    byte[] valid = request(0, 8).toByteArray();
    AtomicInteger hangs = new AtomicInteger();
    for (int i = 0; i < n; i++) {
      inFlight.acquire();
      int kind = random.nextInt(10);
      byte[] frame;
      MethodDescriptor<byte[], byte[]> method = generate;
      if (kind < 4) {
        frame = new byte[random.nextInt(64)];
        random.nextBytes(frame);
      } else if (kind < 7) {
        frame = valid.clone();
        for (int f = 0; f < 1 + random.nextInt(4); f++) {
          frame[random.nextInt(frame.length)] ^= (byte) (1 << random.nextInt(8));
        }
        frame = capped(frame);
      } else if (kind < 9) {
        frame = randomRequest().toByteArray();
      } else {
        frame = new byte[random.nextInt(64)];
        random.nextBytes(frame);
        method = register;
      }
      ClientCall<byte[], byte[]> call = channel.newCall(method, CallOptions.DEFAULT
          .withDeadlineAfter(30, TimeUnit.SECONDS).withCallCredentials(new BearerToken(TOKEN)));
      call.start(new ClientCall.Listener<>() {
        @Override
        public void onClose(Status status, Metadata trailers) {
          statuses.computeIfAbsent(status.getCode().name(), k -> new AtomicInteger()).incrementAndGet();
          if (status.getCode() == Status.Code.DEADLINE_EXCEEDED) {
            hangs.incrementAndGet();
          }
          inFlight.release();
        }
      }, new Metadata());
      call.request(Integer.MAX_VALUE);
      call.sendMessage(frame);
      call.halfClose();
    }
    inFlight.acquire(32);
    inFlight.release(32);
    assertTrue(controller.alive(), "the controller survived");
    workers.forEach(w -> assertTrue(w.alive(), "a worker survived"));
    assertEquals(0, hangs.get(), "calls that never answered");
    long logged = logBytes() - logs;
    assertTrue(logged < 200_000, "log bytes written by the fuzz run: " + logged);
    long leaked = leakedBytes();
    assertEquals(0, leaked);
    rows.add(new String[] {"fuzz: 10,000 random frames, bit-flipped and random-field requests (32 at a time)",
        "" + n, "" + n, "0 crashes, " + hangs.get() + " hangs", "" + leaked, "" + logged, new TreeMap<>(statuses)
        .toString().replace(",", ";")});
  }

  /** A bit-flipped request that still parses may ask for a long generation: keep it short, as the rest of the run. */
  private static byte[] capped(byte[] frame) {
    try {
      GenerateRequest r = GenerateRequest.parseFrom(frame);
      if (r.getGenLength() > 16 || !r.hasGenLength() || r.getPromptIdsCount() > 256) {
        return r.toBuilder().setGenLength(8).setSteps(8).setBlockLength(8).build().toByteArray();
      }
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      return frame; // malformed: sent as it is
    }
    return frame;
  }

  private GenerateRequest randomRequest() {
    double[] odd = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, -1, 0, 0.5, 1, 2, 1e308};
    GenerateRequest.Builder b = GenerateRequest.newBuilder().setGenLength(random.nextInt(40) - 8)
        .setSteps(random.nextInt(40) - 8).setBlockLength(random.nextInt(20) - 4)
        .setSampler(SamplerOptions.newBuilder().setTemperature(odd[random.nextInt(odd.length)])
            .setTopP(odd[random.nextInt(odd.length)]).setThreshold(odd[random.nextInt(odd.length)]))
        .setCache(CachePolicy.newBuilder().setMethod(List.of("maskkv", "prefix", "nope", "", "snapkv+adakv")
            .get(random.nextInt(5))).setBudget(random.nextInt(64) - 8));
    switch (random.nextInt(3)) {
      case 0 -> b.setPrompt(randomText());
      case 1 -> {
        for (int i = 0; i < random.nextInt(64); i++) {
          b.addPromptIds(random.nextInt(700) - 20);
        }
      }
      default -> b.addMessages(io.maskkv.proto.v1.ChatMessage.newBuilder().setRole("user").setContent(randomText()));
    }
    return b.build();
  }

  private String randomText() {
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < random.nextInt(40); i++) {
      s.appendCodePoint(random.nextBoolean() ? 'a' + random.nextInt(26) : random.nextInt(0x2FFF));
    }
    return s.toString();
  }

  private static <Q, R> MethodDescriptor<byte[], byte[]> raw(MethodDescriptor<Q, R> m) {
    MethodDescriptor.Marshaller<byte[]> bytes = new MethodDescriptor.Marshaller<>() {
      @Override
      public InputStream stream(byte[] value) {
        return new ByteArrayInputStream(value);
      }

      @Override
      public byte[] parse(InputStream stream) {
        try {
          return stream.readAllBytes();
        } catch (IOException e) {
          throw new IllegalStateException(e);
        }
      }
    };
    return MethodDescriptor.<byte[], byte[]>newBuilder().setType(m.getType()).setFullMethodName(m.getFullMethodName())
        .setRequestMarshaller(bytes).setResponseMarshaller(bytes).build();
  }

  @Test
  @Order(6)
  void controllerSigtermMidStreamDrainsTheRunningSession() throws Exception {
    long logs = logBytes();
    CompletableFuture<Void> stepFive = new CompletableFuture<>();
    int[] steps = {0};
    Run r = Run.start(client, request(0, 64), e -> {
      if (e.hasStep() && ++steps[0] == 5) {
        stepFive.complete(null);
      }
    });
    stepFive.get(60, TimeUnit.SECONDS);
    controller.signal("TERM");
    Status end = r.end.get(60, TimeUnit.SECONDS);
    assertEquals(Status.Code.OK, end.getCode(), end.toString());
    assertTrue(Arrays.equals(expected[0], r.tokens()), "the drained session's tokens");
    int exit = controller.terminate(60);
    assertTrue(exit == 0 || exit == 143, "the controller exits after the drain: " + exit);
    long leaked = leakedBytes();
    rows.add(new String[] {"controller SIGTERM mid-stream (drain-timeout 30 s)", "1", "1", "1", "" + leaked,
        "" + (logBytes() - logs), "the running session finished; the process exited " + exit});
  }

  /** One Generate call: its events, the workers it started on, and its end. */
  static final class Run implements ClientResponseObserver<GenerateRequest, GenerateEvent> {
    final CompletableFuture<Status> end = new CompletableFuture<>();
    final CompletableFuture<List<String>> workers = new CompletableFuture<>();
    final List<GenerateEvent> events = new CopyOnWriteArrayList<>();
    private final Consumer<GenerateEvent> onEvent;
    private volatile ClientCallStreamObserver<GenerateRequest> call;

    private Run(Consumer<GenerateEvent> onEvent) {
      this.onEvent = onEvent;
    }

    static Run start(GenerationServiceGrpc.GenerationServiceStub stub, GenerateRequest r,
        Consumer<GenerateEvent> onEvent) {
      Run run = new Run(onEvent);
      stub.withDeadlineAfter(300, TimeUnit.SECONDS).generate(r, run);
      return run;
    }

    @Override
    public void beforeStart(ClientCallStreamObserver<GenerateRequest> requestStream) {
      call = requestStream;
    }

    void cancel() {
      call.cancel("fault suite cancels", null);
    }

    int[] tokens() {
      GenerateEvent last = events.get(events.size() - 1);
      return last.getSummary().getResponseIdsList().stream().mapToInt(Integer::intValue).toArray();
    }

    @Override
    public void onNext(GenerateEvent e) {
      events.add(e);
      if (e.hasStarted()) {
        workers.complete(e.getStarted().getWorkersList());
      }
      onEvent.accept(e);
    }

    @Override
    public void onError(Throwable t) {
      end.complete(Status.fromThrowable(t));
    }

    @Override
    public void onCompleted() {
      end.complete(Status.OK);
    }
  }
}
