package io.maskkv.bench.longbench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * How LongBench prompts one dataset (THUDM/LongBench {@code pred.py}): the template of
 * {@code config/dataset2prompt.json} filled with the record's context and input, at most
 * {@code config/dataset2maxlen.json} new tokens, and the model's chat template for every dataset but the few-shot
 * and code ones. Both tables are copied verbatim into {@code datasets.json} beside this class.
 *
 * @param template the prompt with {@code {context}} and {@code {input}} placeholders
 * @param maxNewTokens {@code dataset2maxlen}
 */
public record LongBenchPrompt(String dataset, String template, int maxNewTokens) {
  private static final Map<String, LongBenchPrompt> ALL = load();
  /** pred.py: "chat models are better off without build prompts on these tasks". */
  private static final Set<String> NO_CHAT = Set.of("trec", "triviaqa", "samsum", "lsht", "lcc", "repobench-p");

  /** The dataset's prompt; LongBench-E names ({@code hotpotqa_e}) share their dataset's. Empty if not LongBench. */
  public static Optional<LongBenchPrompt> of(String dataset) {
    if (dataset == null) {
      return Optional.empty();
    }
    return Optional.ofNullable(ALL.get(MetricChooser.canonical(dataset)));
  }

  /**
   * The template with the record's fields in, as Python's {@code str.format(**json_obj)} fills it: in one pass,
   * so braces inside the context (code, JSON) are never taken for placeholders.
   */
  public String fill(LongBenchRecord r) {
    StringBuilder out = new StringBuilder(template.length() + r.context().length() + r.input().length());
    int i = 0;
    while (i < template.length()) {
      if (template.startsWith("{context}", i)) {
        out.append(r.context());
        i += "{context}".length();
      } else if (template.startsWith("{input}", i)) {
        out.append(r.input());
        i += "{input}".length();
      } else {
        out.append(template.charAt(i++));
      }
    }
    return out.toString();
  }

  /** Whether an instruct model's chat template wraps the prompt (not for few-shot and code completion sets). */
  public boolean chat() {
    return !NO_CHAT.contains(dataset);
  }

  private static Map<String, LongBenchPrompt> load() {
    try (InputStream in = LongBenchPrompt.class.getResourceAsStream("datasets.json")) {
      JsonNode root = new ObjectMapper().readTree(in);
      Map<String, LongBenchPrompt> all = new LinkedHashMap<>();
      root.fields().forEachRemaining(e -> all.put(e.getKey(), new LongBenchPrompt(e.getKey(),
          e.getValue().get("prompt").textValue(), e.getValue().get("max_new_tokens").intValue())));
      return Map.copyOf(all);
    } catch (IOException e) {
      throw new UncheckedIOException("datasets.json: " + e.getMessage(), e);
    }
  }
}
