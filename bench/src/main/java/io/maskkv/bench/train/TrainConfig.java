package io.maskkv.bench.train;

import io.maskkv.common.model.ModelConfig;
import io.maskkv.common.model.ModelFamily;
import io.maskkv.common.model.ModelShapes;

/**
 * What a training run is: the model shape (LLaDA family), the data (task, prompt length, answer slots, batch) and
 * the optimiser. Recorded in every checkpoint so a resume continues the same run.
 *
 * @param task one task name, or several separated by commas: each sequence of a batch draws one of them
 * @param answerSlots response positions per sequence: the one-word answer, then EOS padding (SFT-style)
 * @param offsetHeads relative offsets (e.g. -2 = "the token two before") that layer 0's first heads start out
 *     attending to; empty for a plain random start (see {@link PositionalHeads})
 * @param queries up to this many questions per training sequence (each draws 1..queries): the earlier ones inline
 *     with their answers, masked like the answer slots, for more supervised positions per sequence; 0 or 1 = one
 * @param bindingPrior start from an induction circuit for key→value binding (see {@link BindingPrior})
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
    boolean bindingPrior) {

  public TrainConfig {
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

  public ModelConfig modelConfig(int vocab) {
    return ModelShapes.small(ModelFamily.LLADA, layers, dModel, heads, heads, vocab, ffn);
  }
}
