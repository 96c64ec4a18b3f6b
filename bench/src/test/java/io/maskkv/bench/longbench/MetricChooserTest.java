package io.maskkv.bench.longbench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class MetricChooserTest {
  @Test
  void longBenchDatasetsGetTheirEvalPyMetric() {
    assertEquals(Metric.QA_F1, MetricChooser.forTask("hotpotqa"));
    assertEquals(Metric.QA_F1, MetricChooser.forTask("2wikimqa"));
    assertEquals(Metric.QA_F1, MetricChooser.forTask("triviaqa"));
    assertEquals(Metric.ROUGE_L, MetricChooser.forTask("gov_report"));
    assertEquals(Metric.ROUGE_L, MetricChooser.forTask("samsum"));
    assertEquals(Metric.CLASSIFICATION, MetricChooser.forTask("trec"));
    assertEquals(Metric.RETRIEVAL, MetricChooser.forTask("passage_retrieval_en"));
    assertEquals(Metric.COUNT, MetricChooser.forTask("passage_count"));
    assertEquals(Metric.EDIT_SIM, MetricChooser.forTask("lcc"));
    assertEquals(Metric.EDIT_SIM, MetricChooser.forTask("repobench-p"));
  }

  @Test
  void fileNamesPathsAndLongBenchEVariantsAreRecognised() {
    assertEquals(Metric.ROUGE_L, MetricChooser.forTask("data/gov_report.jsonl"));
    assertEquals(Metric.QA_F1, MetricChooser.forTask("/tmp/LongBench/hotpotqa_e.jsonl"));
    assertEquals(Metric.QA_F1, MetricChooser.forTask("MultiFieldQA_en.jsonl"));
  }

  @Test
  void ourTasksUseExactMatchByNameFileOrRecordId() {
    assertEquals(Metric.EXACT_MATCH, MetricChooser.forTask("needle"));
    assertEquals(Metric.EXACT_MATCH, MetricChooser.forTask("out/needle-1024.jsonl"));
    assertEquals(Metric.EXACT_MATCH, MetricChooser.forTask("vartrack-7-0"));
    assertEquals(Metric.EXACT_MATCH, MetricChooser.forTask("multikey_4096.jsonl"));
    assertEquals(Metric.EXACT_MATCH, MetricChooser.forTask("count"));
    assertEquals(Metric.WHOLE_MATCH, MetricChooser.forTask("vartrack-path"));
    assertEquals(Metric.WHOLE_MATCH, MetricChooser.forTask("/tmp/vartrack-path-1024.jsonl"));
    assertEquals(Metric.WHOLE_MATCH, MetricChooser.forTask("vartrack-path-1234-0"));
    assertEquals(Metric.EXACT_MATCH, MetricChooser.forTask("vartrack-1024.jsonl"));
  }

  @Test
  void unknownTasksAreAnErrorThatPointsAtTheFlag() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> MetricChooser.forTask("needles.jsonl"));
    assertTrue(e.getMessage().contains("--metric"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> MetricChooser.forTask("nq"));
  }

  /** dataset2metric's zh entries, with our character-level segmentation in place of jieba. */
  @Test
  void chineseDatasetsUseTheZhMetrics() {
    assertEquals(Metric.QA_F1_ZH, MetricChooser.forTask("multifieldqa_zh"));
    assertEquals(Metric.ROUGE_ZH, MetricChooser.forTask("dureader"));
    assertEquals(Metric.ROUGE_ZH, MetricChooser.forTask("vcsum.jsonl"));
    assertEquals(Metric.CLASSIFICATION, MetricChooser.forTask("lsht"));
    assertEquals(Metric.RETRIEVAL, MetricChooser.forTask("passage_retrieval_zh"));
  }

  @Test
  void fewShotTasksAreCutToTheirFirstLine() {
    assertTrue(MetricChooser.firstLineOnly("trec.jsonl"));
    assertTrue(MetricChooser.firstLineOnly("samsum"));
    assertFalse(MetricChooser.firstLineOnly("hotpotqa"));
    assertFalse(MetricChooser.firstLineOnly("needle"));
  }

  @Test
  void scorerCutsTheFirstLineBeforeScoringWhereLongBenchDoes() {
    LongBenchRecord r = new LongBenchRecord("t0", "ctx", "q", List.of("Entity"), 1,
        List.of("Description", "Entity", "Abbreviation", "Human"));
    // first line "Entity" names one class: 1; the whole text names Entity and Human: 1/2
    assertEquals(1.0, LongBenchScorer.forTask("trec").score("\nEntity\nHuman", r), 1e-12);
    assertEquals(0.5, new LongBenchScorer(Metric.CLASSIFICATION, false).score("\nEntity\nHuman", r), 1e-12);
  }

  @Test
  void scorerWithAFlagMetricStillFollowsTheTasksFirstLineRule() {
    LongBenchRecord r = new LongBenchRecord("t1", "ctx", "q", List.of("Paris"), 1);
    // cut: [paris] vs [paris] = 1; uncut: [paris, question, next, one], P = 1/4, R = 1, F1 = 0.4
    LongBenchScorer cut = LongBenchScorer.of(Metric.QA_F1, "triviaqa.jsonl");
    assertEquals(1.0, cut.score("Paris\nQuestion: next one", r), 1e-12);
    LongBenchScorer uncut = LongBenchScorer.of(Metric.QA_F1, null);
    assertEquals(0.4, uncut.score("Paris\nQuestion: next one", r), 1e-12);
  }
}
