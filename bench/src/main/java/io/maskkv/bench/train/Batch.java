package io.maskkv.bench.train;

import io.maskkv.bench.tasks.TaskGenerator;
import io.maskkv.bench.tasks.TaskInstance;
import io.maskkv.bench.tasks.TaskQuery;
import io.maskkv.bench.tasks.TaskVocabulary;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * One training batch for the masked-diffusion objective, SFT-style: prompt (context + question) then the answer
 * slots (the answer's words, EOS padding). Per sequence t ~ U(0.1, 1); each answer slot is masked with probability t (at
 * least one always is); the loss is cross-entropy on masked slots weighted 1/t. Drawn from a seed derived from the
 * run seed and the step, so a resumed run sees exactly the batches an uninterrupted one would.
 *
 * <p>With {@link TrainConfig#suffixMask} a sequence's answer slots are instead masked from a random slot s within
 * the answer (or the first EOS after it) to the end, weighted 1/t' with t' = the masked share. That is what
 * semi-autoregressive decoding (LLaDA §2.4, block length below the generation length) asks of the model: the next
 * words with the earlier ones already decoded and the later ones still masked. Independent masking rarely shows a
 * long answer that way, and a model trained only on it learns where an answer ends from the EOS padding rather
 * than from its last word.
 */
record Batch(int[] tokens, int[] targets, float[] weights, int batch, int length) {

  /**
   * Training step {@code step}'s batch under the run's objective: drawn from a seed of the run seed and the step
   * alone. (Held-out accuracy always uses the answer layout with every slot masked, whatever the objective.)
   */
  static Batch sample(TrainConfig c, List<TaskGenerator> tasks, Vocabulary vocab, long step) {
    SplittableRandom rnd = new SplittableRandom(c.seed() * 0x9E3779B97F4A7C15L + step);
    return switch (c.objective()) {
      case PRETRAIN -> PretrainBatch.sample(c, tasks, vocab, rnd);
      case MIXED -> mixed(c, tasks, vocab, rnd);
      case ANSWER -> sample(c, tasks, vocab, rnd, false);
    };
  }

  /**
   * @param tasks each sequence draws one (a single task draws nothing, so one-task runs keep their batches)
   * @param allMasked every answer slot masked (t = 1): how accuracy is measured
   */
  static Batch sample(TrainConfig c, List<TaskGenerator> tasks, Vocabulary vocab, SplittableRandom rnd,
      boolean allMasked) {
    int total = c.length() + c.answerSlots();
    int[] tokens = new int[c.batch() * total];
    int[] targets = new int[c.batch() * total];
    float[] weights = new float[c.batch() * total];
    for (int b = 0; b < c.batch(); b++) {
      answerRow(c, tasks, vocab, rnd, allMasked, tokens, targets, weights, b * total);
    }
    return new Batch(tokens, targets, weights, c.batch(), total);
  }

  /**
   * One sequence of the answer objective written at {@code off} of the batch arrays (the body of the answer
   * batch's loop, drawn from {@code rnd} in the same order, so answer-objective batches are unchanged).
   */
  static void answerRow(TrainConfig c, List<TaskGenerator> tasks, Vocabulary vocab, SplittableRandom rnd,
      boolean allMasked, int[] tokens, int[] targets, float[] weights, int off) {
    int total = c.length() + c.answerSlots();
    TaskGenerator task = tasks.size() == 1 ? tasks.get(0) : tasks.get(rnd.nextInt(tasks.size()));
    int asked = c.queries() <= 1 ? 1 : 1 + rnd.nextInt(c.queries());
    TaskInstance inst = task.instance(rnd, c.length(), asked);
    List<TaskQuery> qs = inst.queries();
    String solved = "";
    if (qs.size() > 1) {
      // earlier questions sit inline with their answers, the last one before the answer slots as in serving;
      // the context shrinks by what they take so the prompt stays c.length() tokens
      int extra = inlineTokens(qs);
      inst = task.instance(rnd, Math.max(task.minLength(), c.length() - extra), qs.size());
      // answers of varying length (vartrack-path's) can need more room than the first draw's: draw again rather
      // than cut facts off the prompt's start (one-word answers never do, so their batches are unchanged)
      for (int need = inlineTokens(inst.queries()); need > extra && c.length() - need >= task.minLength();
          need = inlineTokens(inst.queries())) {
        extra = need;
        inst = task.instance(rnd, c.length() - extra, qs.size());
      }
      qs = inst.queries();
      StringBuilder sb = new StringBuilder();
      for (TaskQuery q : qs.subList(0, qs.size() - 1)) {
        sb.append(' ').append(q.input()).append(' ').append(q.answer());
      }
      solved = sb.toString();
    }
    TaskQuery q = qs.get(qs.size() - 1);
    int[] prompt = vocab.encode(inst.context() + solved + " " + q.input());
    if (prompt.length > c.length()) {
      prompt = Arrays.copyOfRange(prompt, prompt.length - c.length(), prompt.length);
    }
    // left-pad short prompts with EOS (LLaDA pads with EOS); positions stay 0..total-1
    Arrays.fill(tokens, off, off + c.length() - prompt.length, vocab.eos());
    System.arraycopy(prompt, 0, tokens, off + c.length() - prompt.length, prompt.length);
    int[] answer = answerTokens(vocab, q, c.answerSlots());
    double t = TrainConfig.T_MIN + (1 - TrainConfig.T_MIN) * rnd.nextDouble();
    if (qs.size() > 1) {
      maskInlineAnswers(tokens, targets, weights, off, off + c.length(), qs, vocab, rnd, t, allMasked);
    }
    int forced = rnd.nextInt(c.answerSlots());
    // drawn only when suffix masking is on, so runs without it see the batches they always did
    int suffixFrom = !allMasked && c.suffixMask() > 0 && rnd.nextDouble() < c.suffixMask()
        ? rnd.nextInt(Math.min(answer.length + 1, c.answerSlots())) : -1;
    double weight = suffixFrom < 0 ? 1 / t : (double) c.answerSlots() / (c.answerSlots() - suffixFrom);
    for (int s = 0; s < c.answerSlots(); s++) {
      int pos = off + c.length() + s;
      int target = s < answer.length ? answer[s] : vocab.eos();
      targets[pos] = target;
      boolean masked = suffixFrom >= 0 ? s >= suffixFrom : allMasked || s == forced || rnd.nextDouble() < t;
      tokens[pos] = masked ? vocab.mask() : target;
      weights[pos] = masked ? (float) weight : 0f;
    }
  }

  /**
   * The mixed objective: each sequence is, with probability {@code answerShare}, an answer-objective sequence
   * (prompt clean, loss on the masked answer slots weighted 1/t), else a pretrain sequence (filler or task, every
   * position masked with probability p, weighted 1/(p·L)); their losses add up in one batch.
   */
  static Batch mixed(TrainConfig c, List<TaskGenerator> tasks, Vocabulary vocab, SplittableRandom rnd) {
    int total = c.length() + c.answerSlots();
    int[] tokens = new int[c.batch() * total];
    int[] targets = new int[c.batch() * total];
    float[] weights = new float[c.batch() * total];
    for (int b = 0; b < c.batch(); b++) {
      if (rnd.nextDouble() < c.answerShare()) {
        answerRow(c, tasks, vocab, rnd, false, tokens, targets, weights, b * total);
      } else {
        PretrainBatch.row(c, tasks, vocab, rnd, tokens, targets, weights, b * total);
      }
    }
    return new Batch(tokens, targets, weights, c.batch(), total);
  }

  /** Tokens the inline questions and answers (all but the last question) take in the prompt. */
  private static int inlineTokens(List<TaskQuery> qs) {
    int tokens = 0;
    for (TaskQuery q : qs.subList(0, qs.size() - 1)) {
      tokens += TaskVocabulary.countTokens(q.input()) + TaskVocabulary.countTokens(q.answer());
    }
    return tokens;
  }

  /** The answer's token ids, refused when they do not fit the answer slots (an answer must end in its slots). */
  static int[] answerTokens(Vocabulary vocab, TaskQuery q, int answerSlots) {
    int[] answer = vocab.encode(q.answer());
    if (answer.length > answerSlots) {
      throw new IllegalArgumentException("answer '" + q.answer() + "' has " + answer.length + " words but there are "
          + answerSlots + " answer slots; raise --answer-slots");
    }
    return answer;
  }

  /** Positions from the earliest supervised one to the end of a sequence: the rows the loss needs logits for. */
  int supervisedRows() {
    int first = length;
    for (int pos = 0; pos < weights.length; pos++) {
      if (weights[pos] != 0) {
        first = Math.min(first, pos % length);
      }
    }
    return length - first;
  }

  /**
   * Masks each inline answer's words (the tokens after an earlier question) with probability t each, weighted 1/t
   * like the answer slots. Found by scanning for the question's tokens, which the prompt holds exactly once each.
   */
  private static void maskInlineAnswers(int[] tokens, int[] targets, float[] weights, int from, int to,
      List<TaskQuery> qs, Vocabulary vocab, SplittableRandom rnd, double t, boolean allMasked) {
    int searchFrom = from;
    for (TaskQuery q : qs.subList(0, qs.size() - 1)) {
      int[] question = vocab.encode(q.input());
      int at = indexOf(tokens, question, searchFrom, to);
      if (at < 0) {
        throw new IllegalStateException("inline question '" + q.input() + "' not found in its prompt");
      }
      int pos = at + question.length;
      int words = TaskVocabulary.countTokens(q.answer());
      for (int w = 0; w < words; w++, pos++) {
        targets[pos] = tokens[pos];
        if (allMasked || rnd.nextDouble() < t) {
          tokens[pos] = vocab.mask();
          weights[pos] = (float) (1 / t);
        }
      }
      searchFrom = pos;
    }
  }

  private static int indexOf(int[] hay, int[] needle, int from, int to) {
    outer:
    for (int i = from; i + needle.length <= to; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
