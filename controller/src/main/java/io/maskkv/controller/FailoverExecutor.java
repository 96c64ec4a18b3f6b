package io.maskkv.controller;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.maskkv.common.budget.BudgetPlan;
import io.maskkv.common.decode.Candidate;
import io.maskkv.common.decode.StepExecutor;
import io.maskkv.common.decode.StepRequest;
import io.maskkv.common.model.ModelConfig;
import io.maskkv.proto.v1.EvictionDecision;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A session's steps on whichever worker group is alive. When a worker of the group dies, stalls or refuses, the
 * session moves: the old streams are cancelled and their reservation released, admission places the session on
 * another complete group (never one with the failed worker), and every step the session ran so far is replayed
 * there in order — the same plan, prompt, committed tokens and step order, so the caches (the eviction at the first
 * step, block refreshes, Elastic-Cache's drift history) and the worker's seeded sampler end in the same state —
 * before the interrupted step runs again. The driver above never sees the move: greedy tokens equal those of an
 * undisturbed run, and no event is repeated (evictions during a replay are not passed on).
 */
final class FailoverExecutor implements StepExecutor, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(FailoverExecutor.class);
  private final String sessionId;
  private final Admission admission;
  private final ResolvedRequest request;
  private final StepTimeouts timeouts;
  private final long deadlineNanos;
  private final int maxReplays;
  private final BiConsumer<String, EvictionDecision> evictions;
  /** The response part of each step's sequence (the prompt never changes), with the step's block and masks. */
  private final List<StepRequest> history = new ArrayList<>();
  private final Set<String> avoid = new HashSet<>();
  private Lease lease;
  private volatile RemoteExecutor current;
  private volatile boolean replaying;
  private volatile boolean cancelled;
  private String cancelReason;
  private int replays;
  private long earlierComputeNanos;

  FailoverExecutor(String sessionId, Admission admission, ResolvedRequest request, StepTimeouts timeouts,
      long deadlineNanos, int maxReplays, BiConsumer<String, EvictionDecision> evictions) {
    this.sessionId = sessionId;
    this.admission = admission;
    this.request = request;
    this.timeouts = timeouts;
    this.deadlineNanos = deadlineNanos;
    this.maxReplays = maxReplays;
    this.evictions = evictions;
  }

  /** Places the session (the first admission may wait in the queue) and opens its streams. */
  void open(Admission.Waiter waiter) {
    lease = admit(waiter);
    openPlaced(waiter);
  }

  /** Opens the streams on the current placement (replaying the history), moving on for as long as that fails. */
  private void openPlaced(Admission.Waiter waiter) {
    while (true) {
      try {
        openOn(lease);
        return;
      } catch (StatusRuntimeException e) {
        moveAfter(e, waiter);
      }
    }
  }

  private Lease admit(Admission.Waiter waiter) {
    ModelConfig c = request.model().config();
    BudgetPlan plan = request.plan();
    return admission.admit(request.model().name(), c, plan, waiter, avoid);
  }

  private void openOn(Lease l) {
    RemoteExecutor ex = new RemoteExecutor(l, timeouts, deadlineNanos, (worker, d) -> {
      if (!replaying) {
        evictions.accept(worker, d);
      }
    }, request.prompt().length);
    current = ex;
    if (cancelled) {
      ex.cancel(cancelReason);
    }
    ex.open(sessionId, request.prompt(), request.plan(), request.includeEvictions(), request.includeKeptPositions());
    if (!history.isEmpty()) {
      replaying = true;
      try {
        for (StepRequest h : history) {
          ex.step(full(h));
        }
      } finally {
        replaying = false;
      }
    }
  }

  Lease lease() {
    return lease;
  }

  int replays() {
    return replays;
  }

  @Override
  public List<Candidate> step(StepRequest r) {
    while (true) {
      try {
        List<Candidate> out = current.step(r);
        int p = request.prompt().length;
        history.add(new StepRequest(r.blockStart(), r.blockEnd(), r.firstOfBlock(),
            Arrays.copyOfRange(r.sequence(), p, r.sequence().length), r.masked().clone()));
        return out;
      } catch (StatusRuntimeException e) {
        moveAfter(e, null);
        openPlaced(null);
      }
    }
  }

  private StepRequest full(StepRequest h) {
    int[] prompt = request.prompt();
    int[] seq = Arrays.copyOf(prompt, prompt.length + h.sequence().length);
    System.arraycopy(h.sequence(), 0, seq, prompt.length, h.sequence().length);
    return new StepRequest(h.blockStart(), h.blockEnd(), h.firstOfBlock(), seq, h.masked());
  }

  /**
   * After a failure: rethrows it when it is not the worker's fault (a bad request, the client's cancel, the
   * session's deadline), or when no other group can take the session; else releases the failed placement and
   * takes a new one.
   */
  private void moveAfter(StatusRuntimeException e, Admission.Waiter waiter) {
    Status.Code code = e.getStatus().getCode();
    boolean workerFault = code == Status.Code.UNAVAILABLE || code == Status.Code.RESOURCE_EXHAUSTED;
    if (cancelled || !workerFault || System.nanoTime() >= deadlineNanos) {
      throw e;
    }
    if (replays >= maxReplays) {
      throw Status.UNAVAILABLE.withDescription("session " + sessionId + " lost its worker group " + (replays + 1)
          + " times (maskkv.max-replays = " + maxReplays + "); last: " + e.getStatus().getDescription()
          + ". Retry the request in a few seconds").asRuntimeException();
    }
    replays++;
    for (WorkerNode w : lease.shards()) {
      if (code == Status.Code.RESOURCE_EXHAUSTED || !w.healthy()) {
        avoid.add(w.id()); // the refusing group, or the lost worker, is not tried again by this session
      }
    }
    LOG.warn("session {}: {}; moving to another worker group, {} steps to replay (move {} of {})", sessionId,
        e.getStatus().getDescription(), history.size(), replays, maxReplays);
    release();
    try {
      lease = admit(waiter != null ? waiter : quietWaiter());
    } catch (StatusRuntimeException none) {
      if (none.getStatus().getCode() == Status.Code.UNAVAILABLE) {
        throw Status.UNAVAILABLE.withDescription("session " + sessionId + " lost its worker group ("
            + e.getStatus().getDescription() + ") and no other group can take it: "
            + none.getStatus().getDescription() + ". Retry the request in a few seconds").asRuntimeException();
      }
      throw none;
    }
  }

  private Admission.Waiter quietWaiter() {
    return new Admission.Waiter() {
      @Override
      public void queued(int position, double waitedMs) {}

      @Override
      public boolean cancelled() {
        return cancelled || System.nanoTime() >= deadlineNanos;
      }
    };
  }

  /** Cancels the streams of the current placement and gives its reservation back. */
  private void release() {
    RemoteExecutor ex = current;
    if (ex != null) {
      earlierComputeNanos += ex.computeNanos();
      ex.cancel("session " + sessionId + " moves to another worker group");
      ex.close();
      current = null;
    }
    if (lease != null) {
      lease.close();
      lease = null;
    }
  }

  @Override
  public int lastRowsFed() {
    RemoteExecutor ex = current;
    return ex == null ? 0 : ex.lastRowsFed();
  }

  @Override
  public long kvBytes() {
    RemoteExecutor ex = current;
    return ex == null ? 0 : ex.kvBytes();
  }

  @Override
  public long layerSteps() {
    RemoteExecutor ex = current;
    return ex == null ? 0 : ex.layerSteps();
  }

  @Override
  public long layerStepsRecomputed() {
    RemoteExecutor ex = current;
    return ex == null ? 0 : ex.layerStepsRecomputed();
  }

  long computeNanos() {
    RemoteExecutor ex = current;
    return earlierComputeNanos + (ex == null ? 0 : ex.computeNanos());
  }

  /** From any thread: ends the session on its workers at once; no replay follows. */
  void cancel(String why) {
    cancelled = true;
    cancelReason = why;
    RemoteExecutor ex = current;
    if (ex != null) {
      ex.cancel(why);
    }
  }

  /** Closes the streams cleanly (or cancels them after a failure) and releases the reservation. */
  @Override
  public void close() {
    RemoteExecutor ex = current;
    try {
      if (ex != null) {
        ex.close();
      }
    } finally {
      current = null;
      if (lease != null) {
        lease.close();
        lease = null;
      }
    }
  }
}
