package io.maskkv.controller;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToLongFunction;

/** Shards of one model whose layer ranges, in order, cover every layer exactly once: a whole model. */
public record WorkerGroup(String model, List<WorkerNode> shards) {
  public List<String> ids() {
    return shards.stream().map(WorkerNode::id).toList();
  }

  /**
   * Forms disjoint groups from the healthy workers of one model. Workers with a group label form their label's
   * group (it must tile the layers, or it is left out); unlabelled workers are chained greedily from layer 0,
   * each time taking the shard with the most free KV that starts where the chain ends.
   *
   * @param free each worker's free KV in the controller's view
   */
  public static List<WorkerGroup> form(String model, List<WorkerNode> workers, int layers,
      ToLongFunction<WorkerNode> free) {
    List<WorkerGroup> groups = new ArrayList<>();
    Map<String, List<WorkerNode>> labelled = new LinkedHashMap<>();
    List<WorkerNode> pool = new ArrayList<>();
    for (WorkerNode w : workers) {
      String g = w.info().getGroup();
      if (g.isEmpty()) {
        pool.add(w);
      } else {
        labelled.computeIfAbsent(g, k -> new ArrayList<>()).add(w);
      }
    }
    for (List<WorkerNode> members : labelled.values()) {
      members.sort(Comparator.comparingInt(WorkerNode::fromLayer));
      int at = 0;
      for (WorkerNode w : members) {
        at = w.fromLayer() == at ? w.toLayer() : -1;
      }
      if (at == layers) {
        groups.add(new WorkerGroup(model, List.copyOf(members)));
      }
    }
    pool.sort(Comparator.comparingLong(free).reversed().thenComparing(WorkerNode::id));
    while (true) {
      List<WorkerNode> chain = new ArrayList<>();
      int at = 0;
      while (at < layers) {
        int from = at;
        WorkerNode next = pool.stream().filter(w -> w.fromLayer() == from && w.toLayer() > from && !chain.contains(w))
            .findFirst().orElse(null);
        if (next == null) {
          break;
        }
        chain.add(next);
        at = next.toLayer();
      }
      if (at != layers) {
        break;
      }
      pool.removeAll(chain);
      groups.add(new WorkerGroup(model, List.copyOf(chain)));
    }
    return groups;
  }
}
