package io.maskkv.controller;

import io.grpc.Status;
import io.maskkv.common.budget.BudgetPlan;
import io.maskkv.common.decode.GenerationOptions;
import io.maskkv.common.decode.Refresh;
import io.maskkv.common.model.ModelConfig;
import jakarta.inject.Singleton;
import java.util.Comparator;
import java.util.List;

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

  public Admission(WorkerRegistry registry, ControllerConfig config) {
    this.registry = registry;
    this.config = config;
  }

  public long free(WorkerNode w) {
    return w.capacity(config.getWorkerKvBytes()) - w.reserved();
  }

  /** The complete groups of a model that can serve now. */
  public List<WorkerGroup> groups(String model, int layers) {
    return WorkerGroup.form(model, registry.healthy(model), layers, this::free);
  }

  /**
   * Reserves room for a session, or throws UNAVAILABLE (no complete group) / RESOURCE_EXHAUSTED (no room).
   *
   * @param plan the session's budget plan (what each shard reserves)
   */
  public synchronized Lease admit(String model, ModelConfig c, BudgetPlan plan) {
    GenerationOptions o = plan.options();
    List<WorkerGroup> groups = groups(model, c.layers());
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
      throw Status.RESOURCE_EXHAUSTED.withDescription("no worker group of " + model + " has room: the session needs "
          + needMax + " KV bytes on a shard, the most free is " + mostFree).asRuntimeException();
    }
    for (int i = 0; i < bestNeed.length; i++) {
      best.shards().get(i).reserve(bestNeed[i]);
    }
    return new Lease(best, bestNeed);
  }
}
