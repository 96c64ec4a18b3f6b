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
      } catch (IllegalArgumentException e) {
        fail(Status.INVALID_ARGUMENT.withDescription(e.getMessage()));
      } catch (StatusRuntimeException e) {
        fail(e.getStatus());
      } catch (RuntimeException | LinkageError e) {
        LOG.error("session {}: step failed", sessionId, e);
        fail(Status.INTERNAL.withDescription("worker " + id() + ": " + e).withCause(e));
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
      String k = sessionId + "#" + ids.incrementAndGet();
      if (!ledger.reserve(k, o.getReserveBytes())) {
        throw Status.RESOURCE_EXHAUSTED.withDescription("worker " + id() + ": session needs " + o.getReserveBytes()
            + " KV bytes, " + ledger.free() + " free of " + ledger.capacity()).asRuntimeException();
      }
      key = k;
      boolean send = o.getSendEvictions();
      boolean kept = o.getIncludeKeptPositions();
      session = new ShardSession(shard, plan, d -> {
        if (send) {
          out.onNext(SessionResponse.newBuilder().setEviction(WireFormat.toProto(d, kept)).build());
        }
      });
      out.onNext(SessionResponse.newBuilder().setOpened(Opened.newBuilder().setReservedBytes(o.getReserveBytes())
          .setFromLayer(shard.fromLayer()).setToLayer(shard.toLayer())).build());
    }

    private void step(StepInput in) {
      if (session == null) {
        throw Status.FAILED_PRECONDITION.withDescription("step before the session was opened")
            .asRuntimeException();
      }
      int[] sequence = new int[prompt.length + in.getResponseCount()];
      System.arraycopy(prompt, 0, sequence, 0, prompt.length);
      for (int i = 0; i < in.getResponseCount(); i++) {
        sequence[prompt.length + i] = in.getResponse(i);
      }
      int[] masked = in.getMaskedList().stream().mapToInt(Integer::intValue).toArray();
      StepRequest request = new StepRequest(in.getBlockStart(), in.getBlockEnd(), in.getFirstOfBlock(), sequence,
          masked);
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
      ShardSession.Output result = done.output();
      long held = session.kvBytes();
      ledger.held(key, held);
      StepOutput.Builder b = StepOutput.newBuilder().setStep(in.getStep()).setRows(result.rows()).setKvBytes(held)
          .setComputeNanos(done.computeNanos()).setLayerSteps(session.layerSteps())
          .setLayerStepsRecomputed(session.layerStepsRecomputed());
      if (result.hidden() != null) {
        b.setHidden(WireFormat.packFloats(result.hidden()));
      } else {
        for (Candidate c : result.candidates()) {
          b.addCandidates(io.maskkv.proto.v1.Candidate.newBuilder().setPosition(c.position())
              .setTokenId(c.token()).setConfidence(c.confidence()));
        }
      }
      out.onNext(SessionResponse.newBuilder().setResult(b).build());
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
