package io.maskkv.bench.train;

import io.maskkv.common.model.ModelConfig;
import io.maskkv.common.model.ModelFamily;
import io.maskkv.common.model.ModelShapes;

/**
 * What a training run is: the model shape (LLaDA family), the data (task, prompt length, answer slots, batch) and
 * the optimiser. Recorded in every checkpoint so a resume continues the same run.
 *
 * @param answerSlots response positions per sequence: the one-word answer, then EOS padding (SFT-style)
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
    long seed) {

  /** The masked-diffusion objective samples t ~ U(T_MIN, 1); 1/t weights the loss (clamped as in training.md). */
  public static final double T_MIN = 0.1;

  public ModelConfig modelConfig(int vocab) {
    return ModelShapes.small(ModelFamily.LLADA, layers, dModel, heads, heads, vocab, ffn);
  }
}
