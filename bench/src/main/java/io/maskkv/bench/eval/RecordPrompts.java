package io.maskkv.bench.eval;

import io.maskkv.bench.longbench.LongBenchPrompt;
import io.maskkv.bench.longbench.LongBenchRecord;
import io.maskkv.bench.longbench.MiddleTruncation;
import io.maskkv.bench.tasks.TaskVocabulary;
import io.maskkv.common.decode.GenerationOptions;
import java.util.Optional;

/**
 * The prompt one record is given and how many tokens it may answer in. A LongBench dataset (the record's
 * {@code dataset} field, else the task name) is prompted as LongBench's {@code pred.py} does: its
 * {@code dataset2prompt} template, middle truncation to the maximum prompt length, the chat template for an
 * instruct model (except the few-shot and code sets), {@code dataset2maxlen} new tokens. Anything else (our
 * procedural tasks) is the context, a space and the question, answered in the plan's length.
 *
 * @param longBench whether LongBench datasets get LongBench's prompts (off: every record as our own tasks)
 * @param maxLength prompt tokens kept at most (LongBench's {@code model2maxlen}); 0 = the model's positions less
 *     the answer
 * @param chat whether the model is an instruct model whose chat template wraps the prompt
 * @param genLength new tokens for every record, overriding {@code dataset2maxlen}; 0 = by dataset
 */
public record RecordPrompts(boolean longBench, int maxLength, boolean chat, int genLength) {
  /** Our own tasks' prompt for every record, the plan's lengths. */
  public static final RecordPrompts PLAIN = new RecordPrompts(false, 0, false, 0);

  /** One record's prompt ids and the options to generate with. */
  public record Prepared(int[] ids, GenerationOptions options) {}

  public Prepared prepare(EvalModel model, String dataset, LongBenchRecord r, GenerationOptions planned) {
    Optional<LongBenchPrompt> lb = longBench ? LongBenchPrompt.of(dataset) : Optional.empty();
    if (lb.isEmpty()) {
      GenerationOptions o = genLength > 0 ? withGenLength(planned, genLength) : planned;
      return new Prepared(model.encode(TaskVocabulary.asPrompt(r)), o);
    }
    LongBenchPrompt p = lb.get();
    int gen = genLength > 0 ? genLength : p.maxNewTokens();
    int limit = maxLength > 0 ? maxLength : Math.max(1, model.maxPositions() - gen);
    String text = p.fill(r);
    text = MiddleTruncation.apply(text, model.encode(text), limit, model::decode);
    if (chat && p.chat()) {
      text = model.chat(text);
    }
    return new Prepared(model.encode(text), withGenLength(planned, gen));
  }

  /**
   * The plan's options at another answer length: as many tokens per step as planned, its block length where it
   * divides the new length (else one block).
   */
  static GenerationOptions withGenLength(GenerationOptions o, int gen) {
    if (gen == o.genLength()) {
      return o;
    }
    int block = gen % o.blockLength() == 0 ? o.blockLength() : gen;
    int blocks = gen / block;
    int perStep = Math.max(1, o.genLength() / o.steps());
    int steps = Math.max(blocks, gen / perStep);
    steps = (steps + blocks - 1) / blocks * blocks;
    return o.withLengths(gen, Math.min(steps, gen), block);
  }
}
