package io.maskkv.bench.train;

import io.maskkv.bench.tasks.FillerText;
import io.maskkv.bench.tasks.TaskGenerator;
import io.maskkv.bench.tasks.TaskInstance;
import io.maskkv.bench.tasks.TaskQuery;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * One batch of the pretraining-style objective, as LLaDA is pretrained (Nie et al. 2025, "Large Language Diffusion
 * Models", eq. 3; {@code forward_process} in GUIDELINES.md of github.com/ML-GSAI/LLaDA): a clean sequence x0, a
 * mask ratio t ~ U(0, 1) per sequence mapped to p = (1 - eps)·t + eps, every position masked independently with
 * probability p (context, question and answer alike), and the loss {@code Σ CE(masked) / p / (B·L)}.
 *
 * <p>Why this objective for the testbed: under the answer-only objective the prompt rows are never asked to predict
 * anything, so their attention (what SnapKV's observation window votes with) never learns to look at the facts;
 * only the mask rows do. Here a masked context token (a fact's value, say, when the question and its answer are
 * visible at the end) must be recovered from elsewhere in the sequence, so prompt rows learn to attend too.
 *
 * <p>A clean sequence is either plain filler text (probability {@code fillerRatio}: language to model between the
 * facts) or a task: the prompt (context, question) of exactly the configured length, the answer's words, then EOS in
 * the remaining answer slots, which is the layout the answer objective and held-out accuracy use.
 */
final class PretrainBatch {
  private PretrainBatch() {}

  static Batch sample(TrainConfig c, List<TaskGenerator> tasks, Vocabulary vocab, SplittableRandom rnd) {
    int total = c.length() + c.answerSlots();
    int[] tokens = new int[c.batch() * total];
    int[] targets = new int[c.batch() * total];
    float[] weights = new float[c.batch() * total];
    for (int b = 0; b < c.batch(); b++) {
      row(c, tasks, vocab, rnd, tokens, targets, weights, b * total);
    }
    return new Batch(tokens, targets, weights, c.batch(), total);
  }

  /** One pretrain sequence written at {@code off} of the batch arrays (also the mixed objective's pretrain rows). */
  static void row(TrainConfig c, List<TaskGenerator> tasks, Vocabulary vocab, SplittableRandom rnd, int[] tokens,
      int[] targets, float[] weights, int off) {
    int total = c.length() + c.answerSlots();
    int[] clean = rnd.nextDouble() < c.fillerRatio() ? vocab.encode(FillerText.text(rnd, total))
        : taskSequence(c, tasks.size() == 1 ? tasks.get(0) : tasks.get(rnd.nextInt(tasks.size())), vocab, rnd);
    double p = maskRatio(rnd.nextDouble());
    for (int i = 0; i < total; i++) {
      targets[off + i] = clean[i];
      boolean masked = rnd.nextDouble() < p;
      tokens[off + i] = masked ? vocab.mask() : clean[i];
      weights[off + i] = masked ? weight(p, total) : 0f;
    }
  }

  /** LLaDA's p_mask = (1 - eps)·t + eps for t ~ U(0, 1): never 0, so 1/p stays finite. */
  static double maskRatio(double uniform) {
    return (1 - TrainConfig.PRETRAIN_EPS) * uniform + TrainConfig.PRETRAIN_EPS;
  }

  /**
   * A masked position's loss weight: 1/p, and 1/L because LLaDA averages over every position of the batch
   * (masked or not); the trainer divides by the batch size itself. This makes the loss an upper bound on the
   * sequence's negative log-likelihood per token (LLaDA eq. 3).
   */
  static float weight(double p, int length) {
    return (float) (1 / (p * length));
  }

  /** Prompt of exactly {@code c.length()} tokens (left-padded with EOS like the answer objective), answer, EOS. */
  private static int[] taskSequence(TrainConfig c, TaskGenerator task, Vocabulary vocab, SplittableRandom rnd) {
    TaskInstance inst = task.instance(rnd, c.length(), 1);
    TaskQuery q = inst.queries().get(0);
    int[] prompt = vocab.encode(inst.context() + " " + q.input());
    if (prompt.length > c.length()) {
      prompt = Arrays.copyOfRange(prompt, prompt.length - c.length(), prompt.length);
    }
    int[] seq = new int[c.length() + c.answerSlots()];
    Arrays.fill(seq, vocab.eos());
    System.arraycopy(prompt, 0, seq, c.length() - prompt.length, prompt.length);
    int[] answer = Batch.answerTokens(vocab, q, c.answerSlots());
    System.arraycopy(answer, 0, seq, c.length(), answer.length);
    return seq;
  }
}
