package io.maskkv.controller;

import io.grpc.Status;
import io.maskkv.common.budget.BudgetPlan;
import io.maskkv.common.decode.GenerationOptions;
import io.maskkv.common.decode.Refresh;
import io.maskkv.common.model.ModelConfig;
import io.maskkv.proto.v1.WorkerInfo;
import jakarta.inject.Singleton;
import java.util.Comparator;
import java.util.List;
import java.util.Set;

/**
 * Admission control and routing: forms the complete worker groups of a model, and admits a session on the group
 * with the most free KV left after the session's reservation (ties: fewest sessions). Free KV is each worker's
 * capacity (capped by {@code maskkv.worker-kv-bytes}) minus what this controller has reserved on it; a worker
 * also checks its own ledger when the session opens.
 */
@Singleton
public class Admission {
  private final WorkerRegistry registry;
  private final ControllerConfig config;
  private final java.util.ArrayDeque<Object> queue = new java.util.ArrayDeque<>();
  /** Sessions holding a lease now; at most {@code maskkv.max-sessions}, the rest wait in the queue. */
  private int admitted;

  public Admission(WorkerRegistry registry, ControllerConfig config) {
    this.registry = registry;
    this.config = config;
  }

  /**
   * Free KV on a worker: what this controller has not reserved there, and never more than the worker itself last
   * reported free (its own ledger also counts what caches really hold, and other controllers' sessions).
   */
  public long free(WorkerNode w) {
    long ours = w.capacity(config.getWorkerKvBytes()) - w.reserved();
    WorkerInfo info = w.info();
    return info == null || info.getCapacityBytes() == 0 ? ours : Math.min(ours, reportedFree(w, info));
  }

  /**
   * The worker's report moved by what this controller reserved or released there since it came (a lease is
   * released only after the worker confirmed freeing it).
   */
  private static long reportedFree(WorkerNode w, WorkerInfo info) {
    return info.getFreeBytes() - (w.reserved() - w.reservedAtReport());
  }

  /** The complete groups of a model that can serve now. */
  public List<WorkerGroup> groups(String model, int layers) {
    return groups(model, layers, Set.of());
  }

  /** The complete groups of a model that can serve now, without the workers named in {@code avoid}. */
  List<WorkerGroup> groups(String model, int layers, Set<String> avoid) {
    List<WorkerNode> workers = registry.healthy(model).stream().filter(w -> !avoid.contains(w.id())).toList();
    return WorkerGroup.form(model, workers, layers, this::free);
  }

  /** Where a waiting session hears of its place in the queue, and whether it was cancelled meanwhile. */
  public interface Waiter {
    void queued(int position, double waitedMs);

    boolean cancelled();
  }

  /**
   * Reserves room for a session. With no complete group: UNAVAILABLE at once. Without room: the session waits in
   * a bounded FIFO (strict order, so a large session is not overtaken forever) until a lease is released and it
   * fits, up to the queue timeout; RESOURCE_EXHAUSTED when that passes, when the queue is full, or at once when
   * the session could not fit even on an idle group.
   */
  public Lease admit(String model, ModelConfig c, BudgetPlan plan, Waiter waiter) {
    return admit(model, c, plan, waiter, Set.of());
  }

  /** As {@link #admit(String, ModelConfig, BudgetPlan, Waiter)}, never on a group with a worker in {@code avoid}. */
  public Lease admit(String model, ModelConfig c, BudgetPlan plan, Waiter waiter, Set<String> avoid) {
    Object ticket = new Object();
    long start = System.nanoTime();
    synchronized (this) {
      if (queue.isEmpty()) {
        try {
          return tryAdmit(model, c, plan, avoid);
        } catch (NoRoom e) {
          if (e.neverFits) { // waiting cannot help
            throw e.status.asRuntimeException();
          }
        }
      }
      if (queue.size() >= config.getQueueSize()) {
        throw Status.RESOURCE_EXHAUSTED.withDescription("the admission queue is full (" + queue.size()
            + " sessions waiting for room); retry later").asRuntimeException();
      }
      queue.addLast(ticket);
      try {
        long deadline = start + config.getQueueTimeout().toNanos();
        int told = -1;
        while (true) {
          if (queue.peekFirst() == ticket) {
            try {
              return tryAdmit(model, c, plan, avoid);
            } catch (NoRoom e) {
              if (e.neverFits) {
                throw e.status.asRuntimeException();
              }
            }
          }
          int position = position(ticket);
          if (position != told) {
            waiter.queued(position, (System.nanoTime() - start) / 1e6);
            told = position;
          }
          if (waiter.cancelled()) {
            throw Status.CANCELLED.withDescription("cancelled while waiting for KV room").asRuntimeException();
          }
          long left = deadline - System.nanoTime();
          if (left <= 0) {
            throw Status.RESOURCE_EXHAUSTED.withDescription("waited " + config.getQueueTimeout().toMillis()
                + " ms in the admission queue without KV room for the session (model " + model + ")")
                .asRuntimeException();
          }
          // released leases wake the queue; the bound also catches workers joining and cancels
          wait(Math.max(1, Math.min(left / 1_000_000, 200)));
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw Status.CANCELLED.withDescription("interrupted while waiting for KV room").asRuntimeException();
      } finally {
        queue.remove(ticket);
        notifyAll();
      }
    }
  }

  private long largestCapacity(List<WorkerGroup> groups) {
    return groups.stream().flatMap(g -> g.shards().stream()).mapToLong(w -> w.capacity(config.getWorkerKvBytes()))
        .max().orElse(0);
  }

  /** Sessions holding a lease now. */
  public synchronized int admitted() {
    return admitted;
  }

  /** Sessions waiting for room now. */
  public synchronized int waiting() {
    return queue.size();
  }

  /** A lease gave its bytes back: the head of the queue may fit now. */
  synchronized void released() {
    admitted--;
    notifyAll();
  }

  private int position(Object ticket) {
    int i = 1;
    for (Object t : queue) {
      if (t == ticket) {
        return i;
      }
      i++;
    }
    return -1;
  }

  /** No group has room now; {@code neverFits} when none would have even without other sessions. */
  private static final class NoRoom extends RuntimeException {
    final Status status;
    final boolean neverFits;

    NoRoom(Status status, boolean neverFits) {
      super(status.getDescription(), null, false, false);
      this.status = status;
      this.neverFits = neverFits;
    }
  }

  private Lease tryAdmit(String model, ModelConfig c, BudgetPlan plan, Set<String> avoid) {
    if (admitted >= config.getMaxSessions()) {
      throw new NoRoom(Status.RESOURCE_EXHAUSTED.withDescription("the controller runs " + admitted
          + " sessions already (maskkv.max-sessions)"), false);
    }
    GenerationOptions o = plan.options();
    List<WorkerGroup> groups = groups(model, c.layers(), avoid);
    if (o.cfgScale() > 0 || o.refresh() == Refresh.ELASTIC) {
      // both change the rows inside the network (unconditional pass, Elastic-Cache's row selection)
      groups = groups.stream().filter(g -> g.shards().size() == 1).toList();
      if (groups.isEmpty()) {
        throw Status.UNAVAILABLE.withDescription((o.cfgScale() > 0 ? "classifier-free guidance" : "Elastic-Cache")
            + " needs a worker holding all layers of " + model + "; none is serving").asRuntimeException();
      }
    }
    if (groups.isEmpty()) {
      throw Status.UNAVAILABLE.withDescription("no complete worker group serves model " + model
          + " (healthy shards: " + registry.healthy(model).stream().map(w -> w.id() + "[" + w.fromLayer() + ":"
          + w.toLayer() + ")").toList() + ")").asRuntimeException();
    }
    WorkerGroup best = null;
    long[] bestNeed = null;
    long bestHeadroom = Long.MIN_VALUE;
    int bestLeases = Integer.MAX_VALUE;
    long needMax = 0;
    for (WorkerGroup g : groups.stream().sorted(Comparator.comparing(g -> g.ids().toString())).toList()) {
      long[] need = new long[g.shards().size()];
      long headroom = Long.MAX_VALUE;
      int leases = 0;
      for (int i = 0; i < need.length; i++) {
        WorkerNode w = g.shards().get(i);
        need[i] = plan.reserveBytes(c, w.fromLayer(), w.toLayer());
        headroom = Math.min(headroom, free(w) - need[i]);
        leases = Math.max(leases, w.leases());
        needMax = Math.max(needMax, need[i]);
      }
      if (headroom >= 0 && (headroom > bestHeadroom || (headroom == bestHeadroom && leases < bestLeases))) {
        best = g;
        bestNeed = need;
        bestHeadroom = headroom;
        bestLeases = leases;
      }
    }
    if (best == null) {
      long mostFree = groups.stream().flatMap(g -> g.shards().stream()).mapToLong(this::free).max().orElse(0);
      boolean neverFits = true;
      for (WorkerGroup g : groups) {
        boolean fits = true;
        for (WorkerNode w : g.shards()) {
          fits &= plan.reserveBytes(c, w.fromLayer(), w.toLayer()) <= w.capacity(config.getWorkerKvBytes());
        }
        neverFits &= !fits;
      }
      if (neverFits) {
        // not retryable: the same request will never fit; the client must shorten it or lower the budget
        throw new NoRoom(Status.FAILED_PRECONDITION.withDescription("the session needs " + needMax + " KV bytes on "
            + "a shard, more than any worker of " + model + " holds (largest capacity " + largestCapacity(groups)
            + " bytes): shorten the prompt or the gen length, or lower the cache budget"), true);
      }
      throw new NoRoom(Status.RESOURCE_EXHAUSTED.withDescription("no worker group of " + model + " has room: the "
          + "session needs " + needMax + " KV bytes on a shard, the most free is " + mostFree), false);
    }
    for (int i = 0; i < bestNeed.length; i++) {
      best.shards().get(i).reserve(bestNeed[i]);
    }
    admitted++;
    return new Lease(best, bestNeed, this::released);
  }
}
