package io.maskkv.worker.kv;

import ai.djl.ndarray.NDManager;
import io.maskkv.common.budget.BudgetPlan;
import io.maskkv.common.budget.EvictionDecision;
import io.maskkv.common.budget.EvictionMethod;
import io.maskkv.common.budget.EvictionMethods;
import io.maskkv.common.decode.GenerationOptions;
import io.maskkv.common.decode.Refresh;
import io.maskkv.common.model.ModelConfig;
import io.maskkv.worker.engine.Transformer;
import io.maskkv.worker.evict.Scorer;
import io.maskkv.worker.evict.Scorers;
import java.util.function.Consumer;

/** Builds the cache policy a request asks for. */
public final class StepCaches {
  private StepCaches() {}

  public static StepCache create(BudgetPlan plan, Transformer model, int total, NDManager owner,
      Consumer<EvictionDecision> decisions) {
    GenerationOptions o = plan.options();
    int shift = model.config().shiftedLogits() ? 1 : 0;
    boolean elastic = o.refresh() == Refresh.ELASTIC;
    return switch (o.cacheMode()) {
      case NONE -> elastic
          ? elastic(o, model, null, total, owner)
          : new NoCache(total, model.fromLayer(), model.toLayer());
      case PREFIX -> new BlockCache(false, total, shift, model.fromLayer(), model.toLayer(), owner);
      case DUAL -> new BlockCache(true, total, shift, model.fromLayer(), model.toLayer(), owner);
      case COMPRESSED -> elastic
          ? elastic(o, model, compressed(plan, model, total, owner, decisions), total, owner)
          : compressed(plan, model, total, owner, decisions);
    };
  }

  /**
   * The MaskKV-style prompt cache for an eviction method, cutting each layer to the plan's k_l; decisions go to
   * the listener as each layer is cut.
   */
  public static CompressedPromptCache compressed(BudgetPlan plan, Transformer model, int total, NDManager owner,
      Consumer<EvictionDecision> decisions) {
    GenerationOptions o = plan.options();
    EvictionMethod method = EvictionMethods.parse(o.method());
    ModelConfig c = model.config();
    int[] layerBudgets = plan.layerBudgets();
    if (layerBudgets.length != c.layers()) {
      throw new IllegalArgumentException("budget plan has " + layerBudgets.length + " layers, the model "
          + c.layers());
    }
    Scorer scorer = method.keepsEverything() ? null : Scorers.of(method.scorer(), o.seed());
    return new CompressedPromptCache(method, scorer, layerBudgets, plan.promptLength(), total,
        c.shiftedLogits() ? 1 : 0, c.kvHeads(), model.fromLayer(), model.toLayer(), owner, decisions,
        o.refresh() == Refresh.DUAL);
  }

  private static ElasticCache elastic(GenerationOptions o, Transformer model, CompressedPromptCache prompt, int total,
      NDManager owner) {
    ModelConfig c = model.config();
    return new ElasticCache(prompt, total, c.shiftedLogits() ? 1 : 0, c.heads(), c.kvHeads(), model.fromLayer(),
        model.toLayer(), o.window(), o.gamma(), c.maskTokenId(), owner);
  }
}
