package io.maskkv.worker.session;

import io.maskkv.common.budget.BudgetPlan;
import io.maskkv.common.budget.EvictionDecision;
import io.maskkv.common.budget.LayerProfile;
import io.maskkv.common.decode.Candidate;
import io.maskkv.common.decode.DenoisingDriver;
import io.maskkv.common.decode.GenerationOptions;
import io.maskkv.common.decode.GenerationResult;
import io.maskkv.common.decode.StepExecutor;
import io.maskkv.common.decode.StepListener;
import io.maskkv.common.decode.StepRequest;
import io.maskkv.worker.engine.Transformer;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;

/** Generation in process: the denoising driver over one shard session holding every layer. */
public final class Generator {
  private final Transformer model;

  public Generator(Transformer model) {
    if (!model.hasEmbedding() || !model.hasHead()) {
      throw new IllegalArgumentException("the in-process generator needs all layers of the model");
    }
    this.model = model;
  }

  public GenerationResult generate(int[] prompt, GenerationOptions o, StepListener listener) {
    return generate(prompt, o, listener, d -> {});
  }

  public GenerationResult generate(int[] prompt, GenerationOptions o, StepListener listener,
      Consumer<EvictionDecision> decisions) {
    if (prompt.length == 0) {
      throw new IllegalArgumentException("prompt is empty");
    }
    try (ShardSession s = new ShardSession(model, plan(model, o, prompt.length), decisions)) {
      return DenoisingDriver.run(prompt, o, model.config(), local(s), listener);
    }
  }

  /** The budget plan of an in-process request, from the model folder's layer profile. */
  public static BudgetPlan plan(Transformer model, GenerationOptions o, int promptLength) {
    return BudgetPlan.of(o, LayerProfile.read(model.dir(), model.config().layers()), promptLength);
  }

  /**
   * Generation through a shard's step scheduler: the same tokens as {@link #generate}, with this session's steps
   * batched with whatever other sessions submit at the same time.
   */
  public GenerationResult generate(int[] prompt, GenerationOptions o, StepScheduler scheduler) {
    if (prompt.length == 0) {
      throw new IllegalArgumentException("prompt is empty");
    }
    try (ShardSession s = new ShardSession(model, plan(model, o, prompt.length), d -> {})) {
      return DenoisingDriver.run(prompt, o, model.config(), scheduled(s, scheduler), e -> {});
    }
  }


  /** A step executor whose steps go through a scheduler. */
  public static StepExecutor scheduled(ShardSession s, StepScheduler scheduler) {
    return executor(s, r -> scheduler.run(s, r, null).output().candidates());
  }

  /** A step executor over an in-process shard session that holds every layer. */
  public static StepExecutor local(ShardSession s) {
    return executor(s, r -> s.step(r, null).candidates());
  }

  private static StepExecutor executor(ShardSession s, Function<StepRequest, List<Candidate>> step) {
    return new StepExecutor() {
      @Override
      public List<Candidate> step(StepRequest r) {
        return step.apply(r);
      }

      @Override
      public int lastRowsFed() {
        return s.lastRowsFed();
      }

      @Override
      public long kvBytes() {
        return s.kvBytes();
      }

      @Override
      public long layerStepsRecomputed() {
        return s.layerStepsRecomputed();
      }

      @Override
      public long layerSteps() {
        return s.layerSteps();
      }
    };
  }
}
