package io.maskkv.common.budget;

import io.maskkv.common.decode.CacheMode;
import io.maskkv.common.decode.GenerationOptions;
import io.maskkv.common.decode.Refresh;
import io.maskkv.common.model.ModelConfig;
import java.util.Arrays;

/**
 * A session's budget plan: the per-head prompt budget k_l of every layer (MaskKV §3.3, eqs. 9–13, or the
 * method's allocator) and the KV bytes a shard reserves for it. Computed once per request, where the request
 * enters (the controller, or the in-process generator), and sent once: workers evict by it and never re-plan.
 *
 * @param layerBudgets k_l for every layer of the model; empty for the cache modes that do not evict
 */
public record BudgetPlan(GenerationOptions options, int promptLength, int[] layerBudgets) {

  public BudgetPlan {
    layerBudgets = layerBudgets.clone();
  }

  /** The plan for a request: the allocator's split of the budget over layers; {@code full} keeps every position. */
  public static BudgetPlan of(GenerationOptions o, double[] profile, int promptLength) {
    if (o.cacheMode() != CacheMode.COMPRESSED) {
      return new BudgetPlan(o, promptLength, new int[0]);
    }
    EvictionMethod method = EvictionMethods.parse(o.method());
    refuseRevoteUnderElastic(o, method);
    int[] k;
    if (method.keepsEverything() || o.budget() >= promptLength) { // a budget past the prompt keeps everything
      k = new int[profile.length];
      Arrays.fill(k, promptLength);
    } else {
      k = method.allocator().layers().split(o.budget(), profile, promptLength);
    }
    return new BudgetPlan(o, promptLength, k);
  }

  /** Elastic-Cache reads the prompt buffers as the first step left them; a re-vote replaces them at each step. */
  private static void refuseRevoteUnderElastic(GenerationOptions o, EvictionMethod method) {
    if (method.revote() && o.refresh() == Refresh.ELASTIC) {
      throw new IllegalArgumentException("cache method '" + method.name() + "' re-votes the prompt per step and"
          + " does not combine with refresh 'elastic' (use refresh 'dual' or none)");
    }
  }

  /**
   * The plan as a worker receives it: checked against the model, never recomputed. Throws
   * {@link IllegalArgumentException} naming what is wrong.
   */
  public static BudgetPlan received(GenerationOptions o, int promptLength, int[] layerBudgets, int modelLayers) {
    boolean evicts = o.cacheMode() == CacheMode.COMPRESSED;
    if (evicts && layerBudgets.length != modelLayers) {
      throw new IllegalArgumentException("cache " + o.method() + " needs a budget plan of " + modelLayers
          + " layers, got " + layerBudgets.length);
    }
    if (!evicts && layerBudgets.length != 0) {
      throw new IllegalArgumentException("cache " + o.method() + " does not evict, but a budget plan was sent");
    }
    for (int k : layerBudgets) {
      if (k < 0) {
        throw new IllegalArgumentException("budget plan has a negative layer budget " + k);
      }
    }
    if (evicts) {
      refuseRevoteUnderElastic(o, EvictionMethods.parse(o.method()));
    }
    return new BudgetPlan(o, promptLength, layerBudgets);
  }

  public boolean evicts() {
    return layerBudgets.length > 0;
  }

  /** k_l of one absolute layer. */
  public int layerBudget(int layer) {
    return layerBudgets[layer];
  }

  @Override
  public int[] layerBudgets() {
    return layerBudgets.clone();
  }

  /**
   * The KV bytes a shard holding layers [fromLayer, toLayer) reserves at admission. The caches are fp32 K and V
   * for every KV head: one position in one layer costs {@link ModelConfig#kvBytesPerTokenPerLayer()}.
   * <ul>
   *   <li>none: nothing is cached, unless Elastic-Cache runs over it, which caches every position;
   *   <li>prefix / dual: up to every position of prompt and response, in every layer of the shard;
   *   <li>eviction methods: the plan's k_l prompt positions per KV head in each layer, plus the response's
   *       positions (written beside them); a re-voting method also keeps the whole prompt of each layer that
   *       evicts, to choose from again.
   * </ul>
   */
  public long reserveBytes(ModelConfig c, int fromLayer, int toLayer) {
    long perPosition = c.kvBytesPerTokenPerLayer();
    int layers = toLayer - fromLayer;
    int gen = options.genLength();
    return switch (options.cacheMode()) {
      case NONE -> options.refresh() == Refresh.ELASTIC ? (long) layers * (promptLength + gen) * perPosition : 0;
      case PREFIX, DUAL -> (long) layers * (promptLength + gen) * perPosition;
      case COMPRESSED -> {
        long sum = 0;
        boolean revote = EvictionMethods.parse(options.method()).revote();
        for (int l = fromLayer; l < toLayer; l++) {
          sum += (Math.min(promptLength, layerBudgets[l]) + (long) gen) * perPosition;
          if (revote && layerBudgets[l] < promptLength) {
            sum += (long) promptLength * perPosition;
          }
        }
        yield sum;
      }
    };
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof BudgetPlan p && p.options.equals(options) && p.promptLength == promptLength
        && Arrays.equals(p.layerBudgets, layerBudgets);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * options.hashCode() + promptLength) + Arrays.hashCode(layerBudgets);
  }

  @Override
  public String toString() {
    return "BudgetPlan[" + options.method() + ", prompt " + promptLength + ", k_l " + Arrays.toString(layerBudgets)
        + "]";
  }
}
