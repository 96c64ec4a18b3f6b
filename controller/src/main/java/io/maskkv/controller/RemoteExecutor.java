package io.maskkv.controller;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.maskkv.common.budget.BudgetPlan;
import io.maskkv.common.decode.Candidate;
import io.maskkv.common.decode.StepExecutor;
import io.maskkv.common.decode.StepRequest;
import io.maskkv.common.wire.WireFormat;
import io.maskkv.proto.v1.CloseSession;
import io.maskkv.proto.v1.EvictionDecision;
import io.maskkv.proto.v1.OpenSession;
import io.maskkv.proto.v1.SessionRequest;
import io.maskkv.proto.v1.SessionResponse;
import io.maskkv.proto.v1.StepInput;
import io.maskkv.proto.v1.StepOutput;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;

/**
 * Runs each denoising step through a worker group: the step goes to the first shard, whose hidden rows go on
 * to the next, and so on; the last shard answers with candidates. The controller's {@code DenoisingDriver}
 * drives it exactly as it drives the in-process engine, so the tokens are the same.
 */
public final class RemoteExecutor implements StepExecutor, AutoCloseable {
  private static final Duration CLOSE_WAIT = Duration.ofSeconds(2);
  private final List<ShardStream> shards = new CopyOnWriteArrayList<>();
  private final Lease lease;
  private final StepTimeouts timeouts;
  private final long deadlineNanos;
  private final BiConsumer<String, EvictionDecision> evictions;
  private final int promptLength;
  private final long[] kvBytes;
  private final long[] layerSteps;
  private final long[] layerStepsRecomputed;
  /** Opened.handle per shard: names the session in the steps that travel on the workers' Hop streams. */
  private long[] handles;
  /** Each shard's Hop stream, in layer order: the way every step of the session travels. */
  private HopLink[] route;
  private volatile Travel travelling;
  private int lastRows;
  private long computeNanos;
  private volatile boolean cancelled;
  private boolean closed;

  /**
   * @param deadlineNanos the session's deadline ({@link System#nanoTime()} scale)
   * @param evictions receives (worker id, decision) for every layer's eviction at prefill
   */
  public RemoteExecutor(Lease lease, StepTimeouts timeouts, long deadlineNanos,
      BiConsumer<String, EvictionDecision> evictions, int promptLength) {
    this.lease = lease;
    this.timeouts = timeouts;
    this.deadlineNanos = deadlineNanos;
    this.evictions = evictions;
    this.promptLength = promptLength;
    this.kvBytes = new long[lease.shards().size()];
    this.layerSteps = new long[kvBytes.length];
    this.layerStepsRecomputed = new long[kvBytes.length];
  }

  /** Opens one session stream per shard (all at once) and waits until each has reserved its KV. */
  public void open(String sessionId, int[] prompt, BudgetPlan plan, boolean sendEvictions, boolean keptPositions) {
    OpenSession.Builder open = OpenSession.newBuilder().setSessionId(sessionId)
        .setOptions(WireFormat.toProto(plan.options()))
        .setSendEvictions(sendEvictions).setIncludeKeptPositions(keptPositions);
    for (int t : prompt) {
      open.addPrompt(t);
    }
    for (int b : plan.layerBudgets()) {
      open.addLayerBudgets(b);
    }
    for (int i = 0; i < lease.shards().size(); i++) {
      ShardStream s = new ShardStream(lease.shards().get(i));
      shards.add(s);
      if (cancelled) {
        throw Status.CANCELLED.withDescription("session cancelled").asRuntimeException();
      }
      s.start();
      s.send(SessionRequest.newBuilder().setOpen(open.setReserveBytes(lease.reserved(i))).build());
    }
    long[] opened = new long[shards.size()];
    for (int i = 0; i < shards.size(); i++) {
      ShardStream s = shards.get(i);
      SessionResponse r = next(s, "the session open", 0);
      if (r.getMessageCase() != SessionResponse.MessageCase.OPENED) {
        throw Status.INTERNAL.withDescription("worker " + s.node().id() + " answered the open with "
            + r.getMessageCase()).asRuntimeException();
      }
      if (r.getOpened().getHandle() == 0) {
        throw Status.FAILED_PRECONDITION.withDescription("worker " + s.node().id() + " gave no session handle: it"
            + " predates the Hop protocol; upgrade it").asRuntimeException();
      }
      opened[i] = r.getOpened().getHandle();
    }
    handles = opened;
    route = shards.stream().map(s -> s.node().hop()).toArray(HopLink[]::new);
  }

  /**
   * The next reply of a shard within the step timeout (scaled by the tokens the step feeds) and the session's
   * deadline. A shard that misses it leaves routing at once: every session on it moves elsewhere.
   */
  private SessionResponse next(ShardStream s, String waitingFor, int tokens) {
    long timeout = timeouts.nanos(tokens, s.node().leases());
    SessionResponse r = s.next(Math.min(deadlineNanos, System.nanoTime() + timeout), waitingFor);
    if (r != null) {
      return r;
    }
    throw stalled(s.node(), waitingFor, timeout);
  }

  /**
   * A reply that did not come in time: past the session's deadline, DEADLINE_EXCEEDED; else the worker is too slow
   * to count as alive and leaves routing at once (UNAVAILABLE, so the session moves).
   */
  private StatusRuntimeException stalled(WorkerNode node, String waitingFor, long timeout) {
    if (System.nanoTime() >= deadlineNanos) {
      return Status.DEADLINE_EXCEEDED.withDescription("the session ran past its deadline").asRuntimeException();
    }
    String why = "worker " + node.id() + " (" + node.address() + ") did not answer " + waitingFor + " within "
        + timeout / 1_000_000 + " ms";
    node.lost(why);
    return Status.UNAVAILABLE.withDescription(why).asRuntimeException();
  }

  /**
   * One step through the group: it travels on the workers' shared Hop streams, so it shares each hop's message
   * (and each shard's forward) with the other sessions' steps that are there at the same time.
   */
  @Override
  public List<Candidate> step(StepRequest r) {
    StepInput.Builder in = StepInput.newBuilder().setBlockStart(r.blockStart()).setBlockEnd(r.blockEnd())
        .setFirstOfBlock(r.firstOfBlock()).setHidden(ByteString.EMPTY).setRows(0);
    for (int i = promptLength; i < r.sequence().length; i++) {
      in.addResponse(r.sequence()[i]);
    }
    for (int m : r.masked()) {
      in.addMasked(m);
    }
    // a block's first step (and the very first, the prefill) feeds the whole sequence; later ones the response
    int tokens = r.firstOfBlock() ? r.sequence().length : r.sequence().length - promptLength;
    Travel t = new Travel(route, handles, in);
    travelling = t;
    if (cancelled) {
      throw Status.CANCELLED.withDescription("session cancelled").asRuntimeException();
    }
    route[0].send(List.of(t));
    StepOutput[] outs = arrive(t, tokens);
    for (Travel.Eviction e : t.evictions()) {
      evictions.accept(e.workerId(), e.decision());
    }
    for (int i = 0; i < outs.length; i++) {
      kvBytes[i] = outs[i].getKvBytes();
      computeNanos += outs[i].getComputeNanos();
      layerSteps[i] = outs[i].getLayerSteps();
      layerStepsRecomputed[i] = outs[i].getLayerStepsRecomputed();
    }
    lastRows = outs[0].getRows();
    StepOutput last = outs[outs.length - 1];
    List<Candidate> candidates = new ArrayList<>(last.getCandidatesCount());
    for (io.maskkv.proto.v1.Candidate c : last.getCandidatesList()) {
      candidates.add(new Candidate(c.getPosition(), c.getTokenId(), c.getConfidence()));
    }
    return candidates;
  }

  /**
   * Waits for a step's last shard within each shard's step timeout (scaled by the tokens fed and the sessions
   * there) and the session's deadline. The shard where a step stalls leaves routing at once.
   */
  private StepOutput[] arrive(Travel t, int tokens) {
    long timeout = 0;
    for (ShardStream s : shards) {
      timeout += timeouts.nanos(tokens, s.node().leases());
    }
    long until = Math.min(deadlineNanos, System.nanoTime() + timeout);
    try {
      return t.done().get(Math.max(0, until - System.nanoTime()), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      throw stalled(t.here().node(), "a step", timeout);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw Status.CANCELLED.withDescription("interrupted").asRuntimeException();
    } catch (ExecutionException e) {
      Status s = Status.fromThrowable(e.getCause());
      if (cancelled) {
        throw Status.CANCELLED.withDescription("session cancelled").asRuntimeException();
      }
      if (ShardStream.WORKER_ANSWERS.contains(s.getCode())) {
        throw s.asRuntimeException();
      }
      throw Status.UNAVAILABLE.withDescription(s.getDescription()).withCause(e.getCause()).asRuntimeException();
    }
  }

  @Override
  public int lastRowsFed() {
    return lastRows;
  }

  @Override
  public long kvBytes() {
    long sum = 0;
    for (long b : kvBytes) {
      sum += b;
    }
    return sum;
  }

  /** Time the shards spent computing so far, summed over shards and steps. */
  public long computeNanos() {
    return computeNanos;
  }

  @Override
  public long layerSteps() {
    return java.util.Arrays.stream(layerSteps).sum();
  }

  @Override
  public long layerStepsRecomputed() {
    return java.util.Arrays.stream(layerStepsRecomputed).sum();
  }

  /** Cancels every shard stream at once (client cancel, lost shard, drain): workers free the KV right away. */
  public void cancel(String why) {
    cancelled = true;
    Travel t = travelling;
    if (t != null) {
      t.fail(Status.CANCELLED.withDescription(why));
    }
    for (ShardStream s : shards) {
      s.cancel(why);
    }
  }

  public boolean cancelled() {
    return cancelled;
  }

  /**
   * Ends the session on every shard: a clean close (each worker frees the KV and confirms) when the session
   * finished, else a cancel. The controller releases its reservation only after this.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (!cancelled) {
      try {
        for (ShardStream s : shards) {
          s.send(SessionRequest.newBuilder().setClose(CloseSession.getDefaultInstance()).build());
          s.halfClose();
        }
        long until = System.nanoTime() + CLOSE_WAIT.toNanos();
        for (ShardStream s : shards) {
          SessionResponse r;
          do {
            r = s.next(until, "the session close");
            if (r == null) {
              throw new IllegalStateException("worker " + s.node().id() + " did not confirm the close");
            }
          } while (r.getMessageCase() != SessionResponse.MessageCase.CLOSED);
        }
      } catch (StatusRuntimeException | IllegalStateException e) {
        cancel("close failed: " + e.getMessage());
      }
    } else {
      cancel("session ended");
    }
    for (ShardStream s : shards) {
      s.detach();
    }
  }
}
