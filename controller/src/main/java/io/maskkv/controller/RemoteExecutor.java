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
    for (ShardStream s : shards) {
      SessionResponse r = next(s, "the session open", 0);
      if (r.getMessageCase() != SessionResponse.MessageCase.OPENED) {
        throw Status.INTERNAL.withDescription("worker " + s.node().id() + " answered the open with "
            + r.getMessageCase()).asRuntimeException();
      }
    }
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
    if (System.nanoTime() >= deadlineNanos) {
      throw Status.DEADLINE_EXCEEDED.withDescription("the session ran past its deadline").asRuntimeException();
    }
    String why = "worker " + s.node().id() + " (" + s.node().address() + ") did not answer " + waitingFor
        + " within " + timeout / 1_000_000 + " ms";
    s.node().lost(why);
    throw Status.UNAVAILABLE.withDescription(why).asRuntimeException();
  }

  @Override
  public List<Candidate> step(StepRequest r) {
    StepInput.Builder in = StepInput.newBuilder().setBlockStart(r.blockStart()).setBlockEnd(r.blockEnd())
        .setFirstOfBlock(r.firstOfBlock());
    for (int i = promptLength; i < r.sequence().length; i++) {
      in.addResponse(r.sequence()[i]);
    }
    for (int m : r.masked()) {
      in.addMasked(m);
    }
    ByteString hidden = ByteString.EMPTY;
    int rows = 0;
    // a block's first step (and the very first, the prefill) feeds the whole sequence; later ones the response
    int tokens = r.firstOfBlock() ? r.sequence().length : r.sequence().length - promptLength;
    for (int i = 0; i < shards.size(); i++) {
      ShardStream s = shards.get(i);
      s.send(SessionRequest.newBuilder().setStep(in.setHidden(hidden).setRows(rows)).build());
      StepOutput out = awaitResult(s, tokens);
      kvBytes[i] = out.getKvBytes();
      computeNanos += out.getComputeNanos();
      layerSteps[i] = out.getLayerSteps();
      layerStepsRecomputed[i] = out.getLayerStepsRecomputed();
      if (i == 0) {
        lastRows = out.getRows();
      }
      if (i == shards.size() - 1) {
        List<Candidate> candidates = new ArrayList<>(out.getCandidatesCount());
        for (io.maskkv.proto.v1.Candidate c : out.getCandidatesList()) {
          candidates.add(new Candidate(c.getPosition(), c.getTokenId(), c.getConfidence()));
        }
        return candidates;
      }
      hidden = out.getHidden(); // passed on as bytes, never unpacked here
      rows = out.getRows();
    }
    throw new IllegalStateException("a worker group without shards");
  }

  private StepOutput awaitResult(ShardStream s, int tokens) {
    while (true) {
      SessionResponse resp = next(s, "a step", tokens);
      switch (resp.getMessageCase()) {
        case RESULT -> {
          return resp.getResult();
        }
        case EVICTION -> evictions.accept(s.node().id(), resp.getEviction());
        default -> throw Status.INTERNAL.withDescription("worker " + s.node().id() + " answered a step with "
            + resp.getMessageCase()).asRuntimeException();
      }
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
