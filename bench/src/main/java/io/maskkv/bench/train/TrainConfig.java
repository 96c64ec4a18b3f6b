package io.maskkv.bench.train;

import io.maskkv.common.model.ModelConfig;
import io.maskkv.common.model.ModelFamily;
import io.maskkv.common.model.ModelShapes;

/**
 * What a training run is: the model shape (LLaDA family), the data (task, prompt length, answer slots, batch) and
 * the optimiser. Recorded in every checkpoint so a resume continues the same run.
 *
 * @param task one task name, or several separated by commas: each sequence of a batch draws one of them
 * @param answerSlots response positions per sequence: the answer's words, then EOS padding (SFT-style)
 * @param offsetHeads relative offsets (e.g. -2 = "the token two before") that layer 0's first heads start out
 *     attending to; empty for a plain random start (see {@link PositionalHeads})
 * @param queries up to this many questions per training sequence (each draws 1..queries): the earlier ones inline
 *     with their answers, masked like the answer slots, for more supervised positions per sequence; 0 or 1 = one
 * @param bindingPrior start from an induction circuit for key→value binding (see {@link BindingPrior})
 * @param objective {@link Objective#ANSWER} (loss on the answer slots only, SFT-style) or {@link Objective#PRETRAIN}
 *     (every position of the sequence may be masked and predicted, as LLaDA is pretrained); null reads as ANSWER so
 *     checkpoints written before the option existed resume unchanged
 * @param fillerRatio pretrain and mixed objectives: the share of pretrain sequences that are plain filler text
 *     instead of a task
 * @param answerShare mixed objective only: the probability that a sequence of a batch is an answer-objective
 *     sequence rather than a pretrain one
 * @param decayFrom with {@code decayTo > decayFrom}: the learning rate follows a cosine from {@code learningRate}
 *     at step decayFrom down to {@code minLearningRate} at step decayTo and stays there (0, 0: constant after
 *     warm-up). Steps count from the run's start, resumed stages included
 * @param decayTo see decayFrom
 * @param minLearningRate see decayFrom
 * @param hopPrior with the binding prior: start a hop head in every middle layer and a binding head in every later
 *     one, for multi-hop variable tracking (see {@link HopPrior}); false in checkpoints written before it existed
 * @param suffixMask answer objective: the probability that a sequence's answer slots are masked as a suffix (from a
 *     random slot within the answer to the end) instead of each with probability t; 0 in checkpoints written before
 *     it existed (see {@link Batch})
 */
public record TrainConfig(
    int layers,
    int dModel,
    int heads,
    int ffn,
    String task,
    int length,
    int answerSlots,
    int batch,
    double learningRate,
    int warmupSteps,
    long seed,
    java.util.List<Integer> offsetHeads,
    int queries,
    boolean bindingPrior,
    Objective objective,
    double fillerRatio,
    double answerShare,
    long decayFrom,
    long decayTo,
    double minLearningRate,
    boolean hopPrior,
    double suffixMask) {

  /** What the loss covers. */
  public enum Objective {
    /** SFT-style: the prompt is never masked; loss on the masked answer slots weighted 1/t (the bundled model). */
    ANSWER,
    /** LLaDA pretraining: t ~ U(eps, 1), every position masked with probability t, loss on all masked positions. */
    PRETRAIN,
    /** Each sequence is an ANSWER one with probability {@link #answerShare}, else a PRETRAIN one; losses add. */
    MIXED
  }

  /** A run of the answer objective (the trainer's only objective before the pretrain one existed). */
  public TrainConfig(int layers, int dModel, int heads, int ffn, String task, int length, int answerSlots, int batch,
      double learningRate, int warmupSteps, long seed, java.util.List<Integer> offsetHeads, int queries,
      boolean bindingPrior) {
    this(layers, dModel, heads, ffn, task, length, answerSlots, batch, learningRate, warmupSteps, seed, offsetHeads,
        queries, bindingPrior, Objective.ANSWER, 0);
  }

  /** A run with a constant learning rate after warm-up (no answer share: the answer or pretrain objective). */
  public TrainConfig(int layers, int dModel, int heads, int ffn, String task, int length, int answerSlots, int batch,
      double learningRate, int warmupSteps, long seed, java.util.List<Integer> offsetHeads, int queries,
      boolean bindingPrior, Objective objective, double fillerRatio) {
    this(layers, dModel, heads, ffn, task, length, answerSlots, batch, learningRate, warmupSteps, seed, offsetHeads,
        queries, bindingPrior, objective, fillerRatio, 0, 0, 0, 0);
  }

  /** A run without the hop prior (every run before it existed). */
  public TrainConfig(int layers, int dModel, int heads, int ffn, String task, int length, int answerSlots, int batch,
      double learningRate, int warmupSteps, long seed, java.util.List<Integer> offsetHeads, int queries,
      boolean bindingPrior, Objective objective, double fillerRatio, double answerShare, long decayFrom, long decayTo,
      double minLearningRate) {
    this(layers, dModel, heads, ffn, task, length, answerSlots, batch, learningRate, warmupSteps, seed, offsetHeads,
        queries, bindingPrior, objective, fillerRatio, answerShare, decayFrom, decayTo, minLearningRate, false);
  }

  /** A run with every answer slot masked independently (every run before suffix masking existed). */
  public TrainConfig(int layers, int dModel, int heads, int ffn, String task, int length, int answerSlots, int batch,
      double learningRate, int warmupSteps, long seed, java.util.List<Integer> offsetHeads, int queries,
      boolean bindingPrior, Objective objective, double fillerRatio, double answerShare, long decayFrom, long decayTo,
      double minLearningRate, boolean hopPrior) {
    this(layers, dModel, heads, ffn, task, length, answerSlots, batch, learningRate, warmupSteps, seed, offsetHeads,
        queries, bindingPrior, objective, fillerRatio, answerShare, decayFrom, decayTo, minLearningRate, hopPrior, 0);
  }

  public TrainConfig {
    objective = objective == null ? Objective.ANSWER : objective;
    if (fillerRatio < 0 || fillerRatio > 1) {
      throw new IllegalArgumentException("filler ratio " + fillerRatio + " is not in [0, 1]");
    }
    if (fillerRatio > 0 && objective == Objective.ANSWER) {
      // answer-only sequences of plain filler would have no answer to supervise
      throw new IllegalArgumentException("--filler-ratio needs the pretrain or mixed objective");
    }
    if (answerShare < 0 || answerShare > 1) {
      throw new IllegalArgumentException("answer share " + answerShare + " is not in [0, 1]");
    }
    if (decayTo > decayFrom && (minLearningRate < 0 || minLearningRate > learningRate)) {
      throw new IllegalArgumentException("min lr " + minLearningRate + " is not in [0, " + learningRate + "]");
    }
    if (hopPrior && !bindingPrior) {
      throw new IllegalArgumentException("--hop-prior builds on the binding prior: give --binding-prior too");
    }
    if (suffixMask < 0 || suffixMask > 1) {
      throw new IllegalArgumentException("suffix mask " + suffixMask + " is not in [0, 1]");
    }
    if (suffixMask > 0 && objective == Objective.PRETRAIN) {
      // pretrain sequences have no answer slots whose tail could be masked
      throw new IllegalArgumentException("--suffix-mask needs the answer or mixed objective");
    }
    offsetHeads = offsetHeads == null ? java.util.List.of() : java.util.List.copyOf(offsetHeads);
    if (offsetHeads.size() > heads) {
      throw new IllegalArgumentException(offsetHeads.size() + " offset heads but the model has " + heads + " heads");
    }
  }

  /** The task names of {@link #task}, in order. */
  public java.util.List<String> tasks() {
    return java.util.Arrays.stream(task.split(",")).map(String::trim).filter(t -> !t.isEmpty()).toList();
  }

  /** The masked-diffusion objective samples t ~ U(T_MIN, 1); 1/t weights the loss (clamped as in training.md). */
  public static final double T_MIN = 0.1;

  /**
   * The pretrain objective's floor on the mask ratio: LLaDA's forward process draws t ~ U(0, 1) and masks with
   * p = (1 - eps)·t + eps, eps = 1e-3 (GUIDELINES.md of github.com/ML-GSAI/LLaDA). Its 1/p weight cannot blow up
   * the way T_MIN guards against, because the loss is normalised by the sequence length, not by the masked count.
   */
  public static final double PRETRAIN_EPS = 1e-3;

  /**
   * The learning rate of training step {@code step} (1-based: the step being taken): linear warm-up over
   * {@link #warmupSteps}, then constant, or the cosine decay of {@link #decayFrom}..{@link #decayTo}.
   */
  public double learningRate(long step) {
    double warm = Math.min(1.0, (double) step / Math.max(1, warmupSteps));
    if (decayTo <= decayFrom || step <= decayFrom) {
      return learningRate * warm;
    }
    double done = Math.min(1.0, (double) (step - decayFrom) / (decayTo - decayFrom));
    return warm * (minLearningRate + (learningRate - minLearningRate) * 0.5 * (1 + Math.cos(Math.PI * done)));
  }

  public ModelConfig modelConfig(int vocab) {
    return ModelShapes.small(ModelFamily.LLADA, layers, dModel, heads, heads, vocab, ffn);
  }
}
