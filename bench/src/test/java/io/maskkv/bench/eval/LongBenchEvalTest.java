package io.maskkv.bench.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.maskkv.bench.longbench.LongBenchRecord;
import io.maskkv.common.decode.GenerationOptions;
import io.maskkv.common.model.ModelFamily;
import io.maskkv.common.text.ChatTemplate;
import io.maskkv.common.text.PromptTemplate;
import io.maskkv.common.text.PromptTemplates;
import io.maskkv.common.text.TextTokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One LongBench-format file whose records come from several datasets, written field for field as the official
 * {@code data/*.jsonl} lines are ({@code input, context, answers, length, dataset, language, all_classes, _id}):
 * each record gets its dataset's template, new-token budget, chat wrapping and metric; long prompts lose their
 * middle; scores land in LongBench's result.json layout. The prompts go through Qwen2.5's real tokenizer and
 * chat template; the generator answers each record with a fixed prediction, so every score is known.
 */
class LongBenchEvalTest {
  private static final Path QWEN = Path.of(System.getProperty("maskkv.fixtures", "../fixtures"), "qwen2_5");
  private static final ObjectMapper JSON = new ObjectMapper();
  @TempDir
  static Path dir;
  static TextTokenizer tokenizer;

  /** Qwen's tokenizer and template; generation answers with the prediction planted for the record's _id. */
  static final class PlantedAnswers implements EvalModel {
    final PromptTemplate template = PromptTemplates.load(QWEN, ModelFamily.DREAM);
    final Map<String, String> predictions;
    final Map<String, String> prompts = new LinkedHashMap<>();
    final Map<String, Integer> genLengths = new LinkedHashMap<>();
    final int maxPositions;

    PlantedAnswers(Map<String, String> predictions, int maxPositions) {
      this.predictions = predictions;
      this.maxPositions = maxPositions;
    }

    /** The text each id sequence was encoded from, to see the exact prompt (specials included) at generate. */
    final Map<String, String> encoded = new LinkedHashMap<>();

    @Override
    public int[] encode(String prompt) {
      int[] ids = tokenizer.encode(prompt);
      encoded.put(java.util.Arrays.toString(ids), prompt);
      return ids;
    }

    @Override
    public String decode(int[] ids) {
      return tokenizer.decode(ids);
    }

    @Override
    public String chat(String prompt) {
      return template.render(List.of(new ChatTemplate.Message("user", prompt)));
    }

    @Override
    public int maxPositions() {
      return maxPositions;
    }

    @Override
    public Output generate(int[] prompt, GenerationOptions options) {
      String text = encoded.get(java.util.Arrays.toString(prompt));
      for (Map.Entry<String, String> e : predictions.entrySet()) {
        if (text.contains("[" + e.getKey() + "]")) {
          prompts.put(e.getKey(), text);
          genLengths.put(e.getKey(), options.genLength());
          return new Output(e.getValue(), 1, 1, 1);
        }
      }
      throw new AssertionError("no planted record in prompt: " + text);
    }
  }

  @BeforeAll
  static void load() {
    tokenizer = TextTokenizer.load(QWEN);
  }

  @AfterAll
  static void close() {
    tokenizer.close();
  }

  private static String line(String id, String dataset, String language, String context, String input,
      List<String> answers, List<String> allClasses) throws Exception {
    Map<String, Object> o = new LinkedHashMap<>();
    o.put("input", input);
    o.put("context", context);
    o.put("answers", answers);
    o.put("length", context.split("\\s+").length);
    o.put("dataset", dataset);
    o.put("language", language);
    o.put("all_classes", allClasses);
    o.put("_id", id);
    return JSON.writeValueAsString(o);
  }

  private static Path file() throws Exception {
    String filler = "Filler sentence about nothing in particular. ".repeat(200);
    List<String> lines = new ArrayList<>();
    lines.add(line("hp1", "hotpotqa", "en", "Passage 1: The capital of France is Paris. " + filler + "MIDDLE-MARK "
        + filler + "Passage 9: done.", "[hp1] Which city is the capital of France?", List.of("Paris"), null));
    lines.add(line("zh1", "multifieldqa_zh", "zh", "北京是中国的首都。", "[zh1] 中国的首都是哪里？", List.of("北京市"), null));
    lines.add(line("tr1", "trec", "en", "Question: Where is Rome?\nType: Location", "[tr1] Where is Oslo?",
        List.of("Location"), List.of("Location", "Person", "Number")));
    lines.add(line("pr1", "passage_retrieval_zh", "zh", "段落1：甲。段落2：乙。段落3：丙。", "[pr1] 丙", List.of("段落3"),
        null));
    // lcc's template has no {input}: the marker rides in the code
    lines.add(line("lc1", "lcc", "python", "def f(x):\n    return {'a': x}  # [lc1] {input}\n", "",
        List.of("print(f(1))"), null));
    lines.add(line("gr1", "gov_report", "en", "[gr1] The agency reviewed the budget.", "",
        List.of("The agency reviewed the budget."), null));
    Path f = dir.resolve("longbench-mixed.jsonl");
    Files.write(f, lines);
    return f;
  }

  @Test
  void eachRecordGetsItsDatasetsTemplateLengthChatAndMetric() throws Exception {
    EvalTask task = EvalTask.load(file(), null, null, 0);
    PlantedAnswers model = new PlantedAnswers(Map.of("hp1", "Paris", "zh1", "北京", "tr1", "Location",
        "pr1", "答案是段落3", "lc1", "print(f(1))", "gr1", "The agency reviewed the budget."), 1000);
    EvalPlan plan = EvalPlan.of("maskkv", "8", GenerationOptions.defaults().withLengths(16, 16, 8));
    List<EvalRow> rows = new EvalRunner(model, plan, EvalProgress.NONE)
        .prompts(new RecordPrompts(true, 0, true, 0)).run(List.of(task));

    Map<String, String> metrics = new LinkedHashMap<>();
    Map<String, Double> scores = new LinkedHashMap<>();
    for (EvalRow r : rows) {
      if (r.isFull()) {
        metrics.put(r.task(), r.metric());
        scores.put(r.task(), r.accuracy());
      }
    }
    // dataset2metric, with our character-level zh F1
    assertEquals(Map.of("hotpotqa", "f1", "multifieldqa_zh", "f1-zh", "trec", "classification",
        "passage_retrieval_zh", "retrieval", "lcc", "edit-sim", "gov_report", "rouge"), metrics);
    assertEquals(1.0, scores.get("hotpotqa"));
    assertEquals(0.8, scores.get("multifieldqa_zh"), 1e-9); // 北,京 of 北,京,市: P 1, R 2/3
    assertEquals(1.0, scores.get("trec"));
    assertEquals(1.0, scores.get("passage_retrieval_zh"));
    assertEquals(1.0, scores.get("lcc"));
    assertEquals(1.0, scores.get("gov_report"), 1e-6);

    // dataset2maxlen
    assertEquals(Map.of("hp1", 32, "zh1", 64, "tr1", 64, "pr1", 32, "lc1", 64, "gr1", 512), model.genLengths);
    // dataset2prompt, and the chat template everywhere but the few-shot and code sets
    String hp = model.prompts.get("hp1");
    assertTrue(hp.startsWith("<|im_start|>system\n"), hp.substring(0, 40));
    assertTrue(hp.contains("Answer the question based on the given passages. Only give me the answer"));
    assertTrue(hp.endsWith("Question: [hp1] Which city is the capital of France?\nAnswer:<|im_end|>\n"
        + "<|im_start|>assistant\n"));
    assertTrue(model.prompts.get("tr1").startsWith("Please determine the type of the question below."));
    // one-pass filling: the "{input}" inside the code stays as it is
    assertEquals("Please complete the code given below. \ndef f(x):\n    return {'a': x}  # [lc1] {input}\n"
        + "Next line of code:\n", model.prompts.get("lc1"));
    assertTrue(model.prompts.get("zh1").contains("阅读以下文字并用中文简短回答"));
    // 1000 positions less 32 answer tokens: the long hotpotqa prompt loses its middle, keeps both ends
    assertFalse(hp.contains("MIDDLE-MARK"));
    assertTrue(hp.contains("The capital of France is Paris."));
    int untemplated = tokenizer.encode(hp.substring(hp.indexOf("<|im_start|>user\n") + "<|im_start|>user\n".length(),
        hp.lastIndexOf("<|im_end|>"))).length;
    assertTrue(untemplated <= 968 + 2 && untemplated >= 960, "truncated prompt has " + untemplated + " tokens");

    Path csv = dir.resolve("scores.csv");
    LongBenchResults.write(LongBenchResults.dirFor(csv), rows);
    JsonNode result = JSON.readTree(dir.resolve("scores-longbench/full/result.json").toFile());
    assertEquals(100.0, result.get("hotpotqa").asDouble());
    assertEquals(80.0, result.get("multifieldqa_zh").asDouble());
    assertTrue(Files.exists(dir.resolve("scores-longbench/maskkv-8/result.json")));
  }

  @Test
  void plainPromptsKeepOurTasksUnchanged() throws Exception {
    EvalTask task = EvalTask.load(file(), null, null, 0);
    LongBenchRecord trec = task.records().get(2);
    RecordPrompts.Prepared p = new RecordPrompts(false, 0, true, 0).prepare(
        new PlantedAnswers(Map.of(), 1000), "trec", trec, GenerationOptions.defaults().withLengths(16, 16, 8));
    assertEquals(trec.context() + " " + trec.input(), tokenizer.decode(p.ids()));
    assertEquals(16, p.options().genLength());
  }
}
