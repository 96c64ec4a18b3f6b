package io.maskkv.worker.grpc;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.maskkv.common.budget.BudgetPlan;
import io.maskkv.common.budget.LayerProfile;
import io.maskkv.common.decode.Candidate;
import io.maskkv.common.decode.GenerationOptions;
import io.maskkv.common.decode.StepRequest;
import io.maskkv.common.model.ModelConfig;
import io.maskkv.common.wire.WireFormat;
import io.maskkv.proto.v1.Closed;
import io.maskkv.proto.v1.FileChunk;
import io.maskkv.proto.v1.InfoRequest;
import io.maskkv.proto.v1.ModelFilesRequest;
import io.maskkv.proto.v1.OpenSession;
import io.maskkv.proto.v1.Opened;
import io.maskkv.proto.v1.SessionRequest;
import io.maskkv.proto.v1.SessionResponse;
import io.maskkv.proto.v1.StepInput;
import io.maskkv.proto.v1.StepOutput;
import io.maskkv.proto.v1.WorkerInfo;
import io.maskkv.proto.v1.WorkerServiceGrpc;
import io.maskkv.worker.engine.Transformer;
import io.maskkv.worker.session.ShardSession;
import io.maskkv.worker.session.StepScheduler;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker's gRPC service: hosts one shard (a layer range of one model) and the sessions that run on it.
 * Each {@code Session} stream owns one {@link ShardSession}; its KV is freed the moment the stream closes,
 * fails or is cancelled. Steps of different sessions that wait at the same time run as one batched forward
 * ({@link StepScheduler}).
 */
public final class ShardWorker extends WorkerServiceGrpc.WorkerServiceImplBase {
  private static final Logger LOG = LoggerFactory.getLogger(ShardWorker.class);
  /**
   * Files the controller needs to tokenize and plan without a copy of the model folder: the config, the tokenizer,
   * its chat template (tokenizer_config.json) and generate()'s stop ids (generation_config.json).
   */
  static final List<String> MODEL_FILES = List.of("config.json", "tokenizer.json", "tokenizer_config.json",
      "generation_config.json");
  private static final int CHUNK = 1 << 20;

  private final Transformer shard;
  private final ModelConfig config;
  private volatile WorkerSettings settings;
  private final KvLedger ledger;
  private final double[] profile;
  private final boolean hasProfile;
  private final String configJson;
  /** Every step of every session on this shard goes through it: steps waiting at the same time share a forward. */
  private final StepScheduler scheduler;
  private final Set<SessionStream> streams = ConcurrentHashMap.newKeySet();
  /** Open sessions by {@code Opened.handle}, for the steps that arrive on Hop streams. */
  private final java.util.Map<Long, SessionStream> byHandle = new ConcurrentHashMap<>();
  private final AtomicLong hopMessages = new AtomicLong();
  private final AtomicLong hopMembers = new AtomicLong();
  private final AtomicLong hopReplies = new AtomicLong();
  private final AtomicLong ids = new AtomicLong();
  private volatile boolean serving = true;
  private volatile WorkerLimits limits = WorkerLimits.DEFAULT;
  private final java.util.concurrent.ScheduledExecutorService idleSweeper =
      java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "maskkv-idle-sessions");
        t.setDaemon(true);
        return t;
      });

  public ShardWorker(Transformer shard, WorkerSettings settings) {
    this(shard, settings, StepScheduler.DEFAULT_MAX_BATCH_ROWS);
  }

  /** @param maxBatchRows fed rows per batched forward (the scheduler's per-iteration row budget) */
  public ShardWorker(Transformer shard, WorkerSettings settings, int maxBatchRows) {
    this(shard, settings, maxBatchRows, true);
  }

  /** @param chunkedPrefill long prefills advance a few layers per iteration (false: whole, blocking the rest) */
  public ShardWorker(Transformer shard, WorkerSettings settings, int maxBatchRows, boolean chunkedPrefill) {
    this.shard = shard;
    this.scheduler = new StepScheduler(shard, maxBatchRows, chunkedPrefill);
    this.config = shard.config();
    this.ledger = new KvLedger(settings.capacityBytes());
    this.hasProfile = Files.exists(shard.dir().resolve(LayerProfile.FILE));
    this.profile = LayerProfile.read(shard.dir(), config.layers());
    String model = settings.model().isEmpty() ? shard.dir().toAbsolutePath().normalize().getFileName().toString()
        : settings.model();
    this.settings = new WorkerSettings(settings.workerId(), model, settings.group(), settings.capacityBytes(),
        settings.address());
    idleSweeper.scheduleWithFixedDelay(this::endIdleStreams, 1, 1, java.util.concurrent.TimeUnit.SECONDS);
    try {
      this.configJson = Files.readString(shard.dir().resolve("config.json"));
    } catch (IOException e) {
      throw new IllegalArgumentException(shard.dir() + "/config.json: cannot read: " + e.getMessage(), e);
    }
  }

  /** Sets the per-worker limits (sessions, idle streams); applies to sessions opened from now on. */
  public void limits(WorkerLimits l) {
    limits = l;
  }

  public WorkerLimits limits() {
    return limits;
  }

  private void endIdleStreams() {
    long idle = limits.idleTimeout().toNanos();
    long now = System.nanoTime();
    for (SessionStream s : streams) {
      if (!s.busy && now - s.lastActivity > idle) {
        LOG.info("worker {}: session {} sent nothing for {} s; ending it", id(), s.sessionId, idle / 1_000_000_000L);
        s.fail(Status.DEADLINE_EXCEEDED.withDescription("worker " + id() + ": the session stream was idle for "
            + limits.idleTimeout().toSeconds() + " s"));
      }
    }
  }

  public WorkerSettings settings() {
    return settings;
  }

  /** Sets the host:port the controller reaches this worker at (known only once the server has bound its port). */
  public void advertise(String address) {
    settings = settings.withAddress(address);
  }

  public KvLedger ledger() {
    return ledger;
  }

  public Transformer shard() {
    return shard;
  }

  /** Stops accepting new sessions (running ones go on). */
  public void drain() {
    serving = false;
  }

  public boolean serving() {
    return serving;
  }

  /** Frees every open session at once (shutdown). */
  public void closeAll() {
    for (SessionStream s : streams) {
      s.fail(Status.UNAVAILABLE.withDescription("worker " + id() + " is shutting down"));
    }
  }

  public String id() {
    return settings.workerId().isEmpty() ? settings.address() : settings.workerId();
  }

  /** What {@code Info} answers (also sent on registration and, in part, with each heartbeat). */
  public WorkerInfo info() {
    WorkerInfo.Builder b = WorkerInfo.newBuilder()
        .setWorkerId(id()).setModel(settings.model()).setFamily(config.family().name().toLowerCase())
        .setConfigJson(configJson).setFromLayer(shard.fromLayer()).setToLayer(shard.toLayer())
        .setLayers(config.layers()).setCapacityBytes(ledger.capacity()).setFreeBytes(ledger.free())
        .setUsedBytes(ledger.used()).setSessions(ledger.sessions()).setHasProfile(hasProfile)
        .setGroup(settings.group()).setAddress(settings.address()).setServing(serving);
    for (double p : profile) {
      b.addLayerProfile(p);
    }
    return b.build();
  }

  @Override
  public void info(InfoRequest request, StreamObserver<WorkerInfo> out) {
    out.onNext(info());
    out.onCompleted();
  }

  @Override
  public void modelFiles(ModelFilesRequest request, StreamObserver<FileChunk> out) {
    try {
      for (String name : MODEL_FILES) {
        Path f = shard.dir().resolve(name);
        if (!Files.exists(f)) {
          continue;
        }
        try (InputStream in = Files.newInputStream(f)) {
          byte[] buf = new byte[CHUNK];
          int n;
          boolean sent = false;
          while ((n = in.readNBytes(buf, 0, CHUNK)) > 0) {
            boolean last = in.available() == 0 && n < CHUNK;
            out.onNext(FileChunk.newBuilder().setName(name).setData(ByteString.copyFrom(buf, 0, n))
                .setLast(last).build());
            sent = last;
            if (last) {
              break;
            }
          }
          if (!sent) {
            out.onNext(FileChunk.newBuilder().setName(name).setLast(true).build());
          }
        }
      }
      out.onCompleted();
    } catch (IOException e) {
      out.onError(Status.INTERNAL.withDescription("reading model files: " + e.getMessage()).asRuntimeException());
    }
  }

  /** Stops the compute thread (after {@link #closeAll}). */
  public void stop() {
    idleSweeper.shutdownNow();
    scheduler.close();
  }

  @Override
  public StreamObserver<SessionRequest> session(StreamObserver<SessionResponse> out) {
    ServerCallStreamObserver<SessionResponse> call = (ServerCallStreamObserver<SessionResponse>) out;
    SessionStream s = new SessionStream(call);
    // without a handler onNext after a cancel throws; the request observer's onError frees the session
    call.setOnCancelHandler(() -> {});
    streams.add(s);
    return s;
  }

  @Override
  public StreamObserver<io.maskkv.proto.v1.HopRequest> hop(StreamObserver<io.maskkv.proto.v1.HopResponse> out) {
    ServerCallStreamObserver<io.maskkv.proto.v1.HopResponse> call =
        (ServerCallStreamObserver<io.maskkv.proto.v1.HopResponse>) out;
    call.setOnCancelHandler(() -> {});
    return new HopStream(call);
  }

  /**
   * The status a failed step answers with: a bad request is INVALID_ARGUMENT, a status the session code threw is
   * kept, a cancelled step is CANCELLED, anything else is INTERNAL (and logged with {@code what}).
   */
  private Status statusOf(Throwable t, String what) {
    Throwable cause = t instanceof java.util.concurrent.CompletionException && t.getCause() != null
        ? t.getCause() : t;
    if (cause instanceof StatusRuntimeException e) {
      return e.getStatus();
    }
    if (cause instanceof IllegalArgumentException) {
      return Status.INVALID_ARGUMENT.withDescription(cause.getMessage());
    }
    if (cause instanceof java.util.concurrent.CancellationException) {
      return Status.CANCELLED.withDescription("the step was cancelled");
    }
    LOG.error("{}", what, cause);
    return Status.INTERNAL.withDescription("worker " + id() + ": " + cause).withCause(cause);
  }

  /** Hop messages received, the members they carried, and the replies sent (one per iteration with results). */
  public HopCounts hopCounts() {
    return new HopCounts(hopMessages.get(), hopMembers.get(), hopReplies.get());
  }

  public record HopCounts(long messages, long members, long replies) {}

  /** A step's result as measured on the compute thread; {@link #proto} packs it (off that thread for Hop steps). */
  private record Finished(int step, ShardSession.Output result, long computeNanos, long held, long layerSteps,
      long recomputed) {
    StepOutput proto() {
      StepOutput.Builder b = StepOutput.newBuilder().setStep(step).setRows(result.rows()).setKvBytes(held)
          .setComputeNanos(computeNanos).setLayerSteps(layerSteps).setLayerStepsRecomputed(recomputed);
      if (result.hidden() != null) {
        b.setHidden(WireFormat.packFloats(result.hidden()));
      } else {
        for (Candidate c : result.candidates()) {
          b.addCandidates(io.maskkv.proto.v1.Candidate.newBuilder().setPosition(c.position())
              .setTokenId(c.token()).setConfidence(c.confidence()));
        }
      }
      return b.build();
    }
  }

  /**
   * A controller's Hop stream: every member of a message enters the scheduler in the same iteration, and after
   * each iteration the members that finished in it go back in one reply, so what shared a forward here travels
   * to the next shard in one message.
   */
  private final class HopStream implements StreamObserver<io.maskkv.proto.v1.HopRequest> {
    private final ServerCallStreamObserver<io.maskkv.proto.v1.HopResponse> out;
    /** Results of the iteration in progress, packed into protobuf later by the sender. */
    private final List<java.util.function.Supplier<io.maskkv.proto.v1.HopResult>> finished =
        new java.util.ArrayList<>();
    private final Runnable flusher = this::flush;
    /** Packs and sends replies in order, so the compute thread goes on to its next iteration at once. */
    private final java.util.concurrent.ExecutorService sender =
        java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
          Thread t = new Thread(r, "maskkv-hop-sender");
          t.setDaemon(true);
          return t;
        });
    private boolean ended;

    HopStream(ServerCallStreamObserver<io.maskkv.proto.v1.HopResponse> out) {
      this.out = out;
      scheduler.afterEachIteration(flusher);
    }

    @Override
    public void onNext(io.maskkv.proto.v1.HopRequest r) {
      hopMessages.incrementAndGet();
      hopMembers.addAndGet(r.getMembersCount());
      List<StepScheduler.Submission> queued = new java.util.ArrayList<>(r.getMembersCount());
      List<io.maskkv.proto.v1.HopResult> refused = new java.util.ArrayList<>();
      for (io.maskkv.proto.v1.HopMember m : r.getMembersList()) {
        try {
          SessionStream s = byHandle.get(m.getHandle());
          if (s == null) {
            throw Status.NOT_FOUND.withDescription("no open session with handle " + m.getHandle())
                .asRuntimeException();
          }
          List<io.maskkv.proto.v1.EvictionDecision> evictions =
              java.util.Collections.synchronizedList(new java.util.ArrayList<>());
          StepScheduler.Submission sub = s.hopStep(m.getStep(), evictions);
          sub.done().whenComplete((res, err) -> finished(m, s, sub.session(), evictions, res, err));
          queued.add(sub);
        } catch (RuntimeException e) {
          refused.add(failed(m.getTag(), e));
        }
      }
      scheduler.submitAll(queued);
      if (!refused.isEmpty()) { // at once, in a reply of their own: an idle scheduler runs no iteration to flush them
        send(refused.stream().<java.util.function.Supplier<io.maskkv.proto.v1.HopResult>>map(f -> () -> f).toList());
      }
    }

    private void finished(io.maskkv.proto.v1.HopMember m, SessionStream s, ShardSession session,
        List<io.maskkv.proto.v1.EvictionDecision> evictions, StepScheduler.Result res, Throwable err) {
      Throwable failure = err;
      Finished f = null;
      try {
        f = s.hopFinished(m.getStep(), err == null ? res : null, session);
        if (err == null && f == null) {
          failure = Status.CANCELLED.withDescription("the session ended while its step ran").asRuntimeException();
        }
      } catch (RuntimeException e) {
        failure = e;
      }
      if (failure != null) {
        io.maskkv.proto.v1.HopResult r = failed(m.getTag(), failure);
        add(() -> r);
      } else {
        Finished done = f; // packed into protobuf on the sender thread
        add(() -> io.maskkv.proto.v1.HopResult.newBuilder().setTag(m.getTag()).setResult(done.proto())
            .addAllEvictions(evictions).build());
      }
    }

    private io.maskkv.proto.v1.HopResult failed(long tag, Throwable t) {
      Status status = statusOf(t, "hop step failed");
      return io.maskkv.proto.v1.HopResult.newBuilder().setTag(tag)
          .setFailure(io.maskkv.proto.v1.HopFailure.newBuilder().setCode(status.getCode().value())
              .setMessage(status.getDescription() == null ? "" : status.getDescription())).build();
    }

    private synchronized void add(java.util.function.Supplier<io.maskkv.proto.v1.HopResult> r) {
      finished.add(r);
    }

    /** Hands what finished in the iteration that just ended to the sender (runs on the compute thread). */
    private synchronized void flush() {
      if (!finished.isEmpty()) {
        send(List.copyOf(finished));
        finished.clear();
      }
    }

    /** One reply with these results, packed and sent on the sender thread, in the order handed over. */
    private synchronized void send(List<java.util.function.Supplier<io.maskkv.proto.v1.HopResult>> results) {
      if (ended) {
        return;
      }
      sender.execute(() -> {
        io.maskkv.proto.v1.HopResponse.Builder reply = io.maskkv.proto.v1.HopResponse.newBuilder();
        for (var r : results) {
          reply.addResults(r.get());
        }
        try {
          synchronized (out) {
            out.onNext(reply.build());
          }
          hopReplies.incrementAndGet();
        } catch (IllegalStateException | StatusRuntimeException closed) {
          end();
        }
      });
    }

    private synchronized void end() {
      if (!ended) {
        ended = true;
        scheduler.removeIterationListener(flusher);
        sender.shutdown();
      }
    }

    @Override
    public void onError(Throwable t) {
      end();
    }

    @Override
    public void onCompleted() {
      end();
      try {
        sender.awaitTermination(5, java.util.concurrent.TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      try {
        out.onCompleted();
      } catch (IllegalStateException alreadyClosed) {
        // cancelled meanwhile
      }
    }
  }

  /**
   * One session's stream. gRPC delivers its callbacks one at a time; they are synchronized anyway so that a
   * shutdown from another thread never frees the KV under a running step.
   */
  private final class SessionStream implements StreamObserver<SessionRequest> {
    private final ServerCallStreamObserver<SessionResponse> out;
    private String key;
    private String sessionId = "?";
    private ShardSession session;
    private int[] prompt;
    private boolean done;
    private long handle;
    /** A step that came on a Hop stream is queued or running: the KV may not be freed under it. */
    private boolean hopInFlight;
    /** The stream ended while a Hop step ran: free the KV when that step completes. */
    private boolean freeAfterHop;
    /** Where the running Hop step's eviction decisions go (set only while it runs; read on the compute thread). */
    private volatile List<io.maskkv.proto.v1.EvictionDecision> hopEvictions;
    /** Read by the idle sweeper without the lock. */
    private volatile long lastActivity = System.nanoTime();
    private volatile boolean busy;

    SessionStream(ServerCallStreamObserver<SessionResponse> out) {
      this.out = out;
    }

    @Override
    public synchronized void onNext(SessionRequest r) {
      if (done) {
        return;
      }
      busy = true;
      try {
        switch (r.getMessageCase()) {
          case OPEN -> open(r.getOpen());
          case STEP -> step(r.getStep());
          case CLOSE -> close();
          default -> throw Status.INVALID_ARGUMENT.withDescription("empty session message").asRuntimeException();
        }
      } catch (RuntimeException | LinkageError e) {
        fail(statusOf(e, "session " + sessionId + ": step failed"));
      } finally {
        lastActivity = System.nanoTime();
        busy = false;
      }
    }

    private void open(OpenSession o) {
      if (session != null) {
        throw Status.FAILED_PRECONDITION.withDescription("session already open").asRuntimeException();
      }
      if (!serving) {
        throw Status.UNAVAILABLE.withDescription("worker " + id() + " is draining").asRuntimeException();
      }
      sessionId = o.getSessionId().isEmpty() ? "anonymous" : o.getSessionId();
      GenerationOptions options = WireFormat.fromProto(o.getOptions());
      prompt = o.getPromptList().stream().mapToInt(Integer::intValue).toArray();
      BudgetPlan plan = BudgetPlan.received(options, prompt.length,
          o.getLayerBudgetsList().stream().mapToInt(Integer::intValue).toArray(), shard.config().layers());
      long need = plan.reserveBytes(config, shard.fromLayer(), shard.toLayer());
      if (o.getReserveBytes() < need) {
        // the reservation is what admission granted; a stream may not run on less than its own plan needs
        throw new IllegalArgumentException("reserve_bytes " + o.getReserveBytes() + " is less than the " + need
            + " KV bytes the session's plan needs on layers " + shard.fromLayer() + ":" + shard.toLayer());
      }
      if (ledger.sessions() >= limits.maxSessions()) {
        throw Status.RESOURCE_EXHAUSTED.withDescription("worker " + id() + " holds " + ledger.sessions()
            + " sessions, its limit (--max-sessions)").asRuntimeException();
      }
      long handle = ids.incrementAndGet();
      String k = sessionId + "#" + handle;
      if (!ledger.reserve(k, o.getReserveBytes())) {
        throw Status.RESOURCE_EXHAUSTED.withDescription("worker " + id() + ": session needs " + o.getReserveBytes()
            + " KV bytes, " + ledger.free() + " free of " + ledger.capacity()).asRuntimeException();
      }
      key = k;
      boolean send = o.getSendEvictions();
      boolean kept = o.getIncludeKeptPositions();
      session = new ShardSession(shard, plan, d -> {
        if (!send) {
          return;
        }
        List<io.maskkv.proto.v1.EvictionDecision> sink = hopEvictions;
        if (sink != null) { // a step that came on a Hop stream reports its decisions in its own result
          sink.add(WireFormat.toProto(d, kept));
        } else {
          out.onNext(SessionResponse.newBuilder().setEviction(WireFormat.toProto(d, kept)).build());
        }
      });
      this.handle = handle;
      byHandle.put(handle, this);
      out.onNext(SessionResponse.newBuilder().setOpened(Opened.newBuilder().setReservedBytes(o.getReserveBytes())
          .setFromLayer(shard.fromLayer()).setToLayer(shard.toLayer()).setHandle(handle)).build());
    }

    private StepRequest request(StepInput in) {
      if (session == null) {
        throw Status.FAILED_PRECONDITION.withDescription("step before the session was opened")
            .asRuntimeException();
      }
      if (hopInFlight) {
        throw Status.FAILED_PRECONDITION.withDescription("session " + sessionId + " already has a step running")
            .asRuntimeException();
      }
      int[] sequence = new int[prompt.length + in.getResponseCount()];
      System.arraycopy(prompt, 0, sequence, 0, prompt.length);
      for (int i = 0; i < in.getResponseCount(); i++) {
        sequence[prompt.length + i] = in.getResponse(i);
      }
      int[] masked = in.getMaskedList().stream().mapToInt(Integer::intValue).toArray();
      return new StepRequest(in.getBlockStart(), in.getBlockEnd(), in.getFirstOfBlock(), sequence, masked);
    }

    /** What the step reports back; measured right after the step, before the session's next one can run. */
    private Finished measure(StepInput in, StepScheduler.Result done, ShardSession s) {
      long held = s.kvBytes();
      ledger.held(key, held);
      return new Finished(in.getStep(), done.output(), done.computeNanos(), held, s.layerSteps(),
          s.layerStepsRecomputed());
    }

    /**
     * Queues a step that came on a Hop stream; {@code finished} gets its result (or failure) on the compute
     * thread. The session's KV stays until the step completes, even if its own stream ends meanwhile.
     */
    synchronized StepScheduler.Submission hopStep(StepInput in, List<io.maskkv.proto.v1.EvictionDecision> evictions) {
      if (done) {
        throw Status.NOT_FOUND.withDescription("session " + sessionId + " is closed on worker " + id())
            .asRuntimeException();
      }
      StepRequest request = request(in);
      float[] hidden = WireFormat.unpackFloats(in.getHidden());
      hopInFlight = true;
      busy = true;
      hopEvictions = evictions;
      return new StepScheduler.Submission(session, request, hidden);
    }

    /** Ends a Hop step: its output, and the KV freed now if the stream ended while it ran. */
    synchronized Finished hopFinished(StepInput in, StepScheduler.Result r, ShardSession s) {
      hopInFlight = false;
      hopEvictions = null;
      busy = false;
      lastActivity = System.nanoTime();
      try {
        if (r == null || freeAfterHop || key == null) {
          return null;
        }
        return measure(in, r, s);
      } finally {
        if (freeAfterHop) {
          free();
        }
      }
    }

    private void step(StepInput in) {
      StepRequest request = request(in);
      float[] hidden = WireFormat.unpackFloats(in.getHidden());
      if (out.isCancelled()) {
        return; // onError follows and frees the session
      }
      // the call's own callbacks wait behind this one, so its cancellation reaches the scheduler through the
      // context, whose listeners run on the cancelling thread
      ShardSession s = session;
      io.grpc.Context.CancellationListener onCancel = c -> scheduler.cancel(s);
      io.grpc.Context.current().addListener(onCancel, Runnable::run);
      StepScheduler.Result done;
      try {
        done = scheduler.run(s, request, hidden);
      } catch (java.util.concurrent.CancellationException e) {
        throw Status.CANCELLED.withDescription("session " + sessionId + " cancelled mid-step").asRuntimeException();
      } finally {
        io.grpc.Context.current().removeListener(onCancel);
      }
      out.onNext(SessionResponse.newBuilder().setResult(measure(in, done, s).proto()).build());
    }

    private void close() {
      long freed = free();
      done = true;
      out.onNext(SessionResponse.newBuilder().setClosed(Closed.newBuilder().setFreedBytes(freed)).build());
      out.onCompleted();
    }

    /** Frees the session's KV and forgets it; safe to call more than once. */
    private long free() {
      streams.remove(this);
      byHandle.remove(handle);
      if (hopInFlight && session != null) {
        // a Hop step still uses the KV: stop it at the next iteration boundary and free when it completes
        freeAfterHop = true;
        scheduler.cancel(session);
        return session.kvBytes();
      }
      long freed = 0;
      if (session != null) {
        freed = session.kvBytes();
        session.close();
        session = null;
      }
      if (key != null) {
        ledger.release(key);
        key = null;
      }
      return freed;
    }

    /** Ends the stream with an error and frees the KV; also called from outside gRPC's callbacks (shutdown). */
    synchronized void fail(Status status) {
      if (done) {
        return;
      }
      done = true;
      free();
      if (!out.isCancelled()) {
        try {
          out.onError(status.asRuntimeException());
        } catch (IllegalStateException alreadyClosed) {
          // the call ended meanwhile
        }
      }
    }

    @Override
    public synchronized void onError(Throwable t) {
      LOG.debug("session {}: stream ended: {}", sessionId, t.toString());
      done = true;
      free();
    }

    @Override
    public synchronized void onCompleted() {
      if (!done) {
        done = true;
        free();
        out.onCompleted();
      }
    }
  }
}
