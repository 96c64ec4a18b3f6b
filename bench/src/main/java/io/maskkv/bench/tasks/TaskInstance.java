package io.maskkv.bench.tasks;

import io.maskkv.bench.longbench.LongBenchRecord;
import java.util.List;

/**
 * A generated context with one or more questions about it. Several questions per context give a trainer more
 * signal per sequence; evaluation files use one question per record.
 */
public record TaskInstance(String context, List<TaskQuery> queries) {
  public TaskInstance {
    queries = List.copyOf(queries);
    if (queries.isEmpty()) {
      throw new IllegalArgumentException("a task instance needs at least one query");
    }
  }

  /** The LongBench record asking question {@code query}; {@code length} is the context's token count. */
  public LongBenchRecord record(int query, String id) {
    TaskQuery q = queries.get(query);
    return new LongBenchRecord(id, context, q.input(), List.of(q.answer()), TaskVocabulary.countTokens(context));
  }
}
