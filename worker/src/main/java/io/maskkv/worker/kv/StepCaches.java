package io.maskkv.worker.kv;

import ai.djl.ndarray.NDManager;
import io.maskkv.common.budget.EvictionMethod;
import io.maskkv.common.budget.EvictionMethods;
import io.maskkv.common.budget.LayerProfile;
import io.maskkv.common.decode.GenerationOptions;
import io.maskkv.common.model.ModelConfig;
import io.maskkv.worker.evict.EvictionDecision;
import io.maskkv.worker.evict.Scorer;
import io.maskkv.worker.evict.Scorers;
import io.maskkv.worker.engine.Transformer;

/** Builds the cache policy a request asks for. */
public final class StepCaches {
  private StepCaches() {}

  public static StepCache create(GenerationOptions o, Transformer model, int promptLength, int total,
      NDManager owner) {
    return create(o, model, promptLength, total, owner, null, null);
  }

  /**
   * @param layerBudgets a plan computed elsewhere (the controller); null to plan here from the model's profile
   */
  public static StepCache create(GenerationOptions o, Transformer model, int promptLength, int total,
      NDManager owner, int[] layerBudgets, java.util.function.Consumer<EvictionDecision> decisions) {
    int shift = model.config().shiftedLogits() ? 1 : 0;
    return switch (o.cacheMode()) {
      case NONE -> o.refresh().equals("elastic")
          ? elastic(o, model, null, total, owner)
          : new NoCache(total, model.fromLayer(), model.toLayer());
      case PREFIX -> new BlockCache(false, total, shift, model.fromLayer(), model.toLayer(), owner);
      case DUAL -> new BlockCache(true, total, shift, model.fromLayer(), model.toLayer(), owner);
      case COMPRESSED -> o.refresh().equals("elastic")
          ? elastic(o, model, compressed(o, model, promptLength, total, owner, layerBudgets, decisions), total, owner)
          : compressed(o, model, promptLength, total, owner, layerBudgets, decisions);
    };
  }

  /** The MaskKV-style prompt cache for an eviction method; decisions go to the listener as each layer is cut. */
  public static CompressedPromptCache compressed(GenerationOptions o, Transformer model, int promptLength, int total,
      NDManager owner, java.util.function.Consumer<EvictionDecision> decisions) {
    return compressed(o, model, promptLength, total, owner, null, decisions);
  }

  public static CompressedPromptCache compressed(GenerationOptions o, Transformer model, int promptLength, int total,
      NDManager owner, int[] plannedBudgets, java.util.function.Consumer<EvictionDecision> decisions) {
    EvictionMethod method = EvictionMethods.parse(o.cache());
    ModelConfig c = model.config();
    int[] layerBudgets = plannedBudgets != null ? plannedBudgets
        : plan(method, o.budget(), LayerProfile.read(model.dir(), c.layers()), promptLength);
    if (layerBudgets.length != c.layers()) {
      throw new IllegalArgumentException("budget plan has " + layerBudgets.length + " layers, the model "
          + c.layers());
    }
    Scorer scorer = method.keepsEverything() ? null : Scorers.of(method.scorer(), o.seed());
    return new CompressedPromptCache(method, scorer, layerBudgets, promptLength, total,
        c.shiftedLogits() ? 1 : 0, c.kvHeads(), model.fromLayer(), model.toLayer(), owner, decisions,
        o.refresh().equals("dual"));
  }

  private static ElasticCache elastic(GenerationOptions o, Transformer model, CompressedPromptCache prompt, int total,
      NDManager owner) {
    ModelConfig c = model.config();
    return new ElasticCache(prompt, total, c.shiftedLogits() ? 1 : 0, c.heads(), c.kvHeads(), model.fromLayer(),
        model.toLayer(), o.window(), o.gamma(), c.maskTokenId(), owner);
  }

  /** The per-layer budget plan (per-head k_l); {@code full} keeps the prompt in every layer. */
  public static int[] plan(EvictionMethod method, int budget, double[] profile, int promptLength) {
    if (method.keepsEverything() || budget >= promptLength) { // a budget past the prompt keeps everything
      int[] all = new int[profile.length];
      java.util.Arrays.fill(all, promptLength);
      return all;
    }
    return method.allocator().layers().split(budget, profile, promptLength);
  }
}
