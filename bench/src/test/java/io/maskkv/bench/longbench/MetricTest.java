package io.maskkv.bench.longbench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Hand-worked examples for each metric. Every expected number was also checked against LongBench's
 * metrics.py (with the rouge 1.0.1 and difflib code it calls) run on the same strings.
 */
class MetricTest {
  private static final double EPS = 1e-9;

  // ---- whole match (ours): normalized prediction equals the normalized answer

  @Test
  void wholeMatchRejectsAPathThatRunsOnPastItsValue() {
    assertEquals(1.0, Metric.WHOLE_MATCH.score("X60 , x8 , v67", List.of("x60 , x8 , v67")), EPS);
    assertEquals(0.0, Metric.WHOLE_MATCH.score("x60 , x8 , v67 , v126", List.of("x60 , x8 , v67")), EPS);
    assertEquals(1.0, Metric.EXACT_MATCH.score("x60 , x8 , v67 , v126", List.of("x60 , x8 , v67")), EPS);
    assertEquals(0.0, Metric.WHOLE_MATCH.score("x60 , x8", List.of("x60 , x8 , v67")), EPS);
  }

  // ---- exact match (ours): normalized prediction starts with the normalized answer, token by token

  @Test
  void exactMatchIgnoresCaseAndPunctuation() {
    // normalize("V42.") = "v42"
    assertEquals(1.0, Metric.EXACT_MATCH.score("V42.", List.of("v42")), EPS);
  }

  @Test
  void exactMatchAcceptsTrailingTextAfterTheAnswer() {
    // tokens [v42, is, passkey] begin with [v42]
    assertEquals(1.0, Metric.EXACT_MATCH.score("v42 is the passkey", List.of("v42")), EPS);
  }

  @Test
  void exactMatchComparesWholeTokensNotCharacters() {
    assertEquals(0.0, Metric.EXACT_MATCH.score("v421", List.of("v42")), EPS);
    assertEquals(0.0, Metric.EXACT_MATCH.score("v4", List.of("v42")), EPS);
  }

  @Test
  void exactMatchRejectsAnAnswerThatIsNotFirst() {
    assertEquals(0.0, Metric.EXACT_MATCH.score("the passkey is v42", List.of("v42")), EPS);
  }

  @Test
  void exactMatchTakesTheBestAnswerAndZeroForNone() {
    assertEquals(1.0, Metric.EXACT_MATCH.score("seven", List.of("7", "seven")), EPS);
    assertEquals(0.0, Metric.EXACT_MATCH.score("seven", List.of()), EPS);
  }

  @Test
  void exactMatchOfAnAnswerThatNormalizesToNothingNeedsAnEmptyPrediction() {
    // normalize("The") = "" (an article); without this rule every prediction would "start with" it
    assertEquals(0.0, Metric.EXACT_MATCH.score("cat", List.of("The")), EPS);
    assertEquals(1.0, Metric.EXACT_MATCH.score("a", List.of("The")), EPS);
  }

  // ---- qa_f1_score

  @Test
  void qaF1DropsArticlesAndCountsSharedTokens() {
    // "the cat sat" -> [cat, sat]; "a cat sat down" -> [cat, sat, down]; 2 shared
    // P = 2/2 = 1, R = 2/3, F1 = 2 * 1 * 2/3 / (1 + 2/3) = (4/3) / (5/3) = 0.8
    assertEquals(0.8, Metric.QA_F1.score("the cat sat", List.of("a cat sat down")), EPS);
  }

  @Test
  void qaF1CountsRepeatedTokensOnlyAsOftenAsTheAnswerHasThem() {
    // "The Cat, the cat!" -> [cat, cat]; "cat" -> [cat]; shared = min(2, 1) = 1
    // P = 1/2, R = 1/1, F1 = 2 * 0.5 * 1 / 1.5 = 2/3
    assertEquals(2.0 / 3.0, Metric.QA_F1.score("The Cat, the cat!", List.of("cat")), EPS);
  }

  @Test
  void qaF1IsTheMaximumOverAnswers() {
    // vs "London": 0; vs "paris, France" -> [paris, france]: P = 1, R = 1/2, F1 = 2/3
    assertEquals(2.0 / 3.0, Metric.QA_F1.score("Paris", List.of("London", "paris, France")), EPS);
  }

  @Test
  void qaF1WithoutOverlapIsZero() {
    assertEquals(0.0, Metric.QA_F1.score("dog", List.of("cat")), EPS);
    assertEquals(0.0, Metric.QA_F1.score("", List.of("cat")), EPS);
  }

  // ---- rouge_score (rouge-l "f" of the rouge package)

  @Test
  void rougeLCountsDistinctWordsAsTheRougePackageDoes() {
    // one sentence each; distinct reference words {the, cat, is, on, mat} m = 5,
    // distinct hypothesis words {the, cat, sat, on, mat} n = 5;
    // LCS "the cat on the mat" has distinct words {the, cat, on, mat} = 4
    // R = P = 4/5, F = 2 * 0.64 / (1.6 + 1e-8) = 0.8 (a plain token LCS would give 5/6)
    assertEquals(0.8, Metric.ROUGE_L.score("the cat sat on the mat", List.of("the cat is on the mat")), 1e-7);
  }

  @Test
  void rougeLTakesTheUnionLcsOverSentences() {
    // hyp sentences "a b c" | "d e"; ref sentences "a b" | "c d e f"; m = 6 distinct, n = 5 distinct
    // ref "a b": LCS with "a b c" = {a, b}; ref "c d e f": with "a b c" = {c}, with "d e" = {d, e}
    // union = {a, b, c, d, e} = 5; R = 5/6, P = 1, F = 2 * (5/6) / (11/6) = 10/11
    assertEquals(10.0 / 11.0, Metric.ROUGE_L.score("a b c. d e", List.of("a b. c d e f")), 1e-7);
  }

  @Test
  void rougeLBreaksLcsTiesLikeRecon() {
    // ref [a a b], hyp [a b a]: both "a a" and "a b" are LCSs; _recon_lcs steps back in the hypothesis
    // on ties and so finds "a b" = {a, b}: R = P = 2/2, F = 2 / (2 + 1e-8) ~ 1.
    // Taking "a a" would give {a}: F = 0.5.
    assertEquals(1.0, Metric.ROUGE_L.score("a b a", List.of("a a b")), 1e-7);
  }

  @Test
  void rougeLIsCaseSensitive() {
    // {The, cat} vs {the, cat}: only "cat" is shared, R = P = 1/2, F = 0.5
    assertEquals(0.5, Metric.ROUGE_L.score("The cat", List.of("the cat")), 1e-7);
  }

  @Test
  void rougeLOfAnEmptyHypothesisIsZero() {
    // "..." has no sentences left: the package raises, LongBench returns 0
    assertEquals(0.0, Metric.ROUGE_L.score("...", List.of("x")), EPS);
    assertEquals(0.0, Metric.ROUGE_L.score("", List.of("x")), EPS);
  }

  // ---- code_sim_score (fuzz.ratio over difflib)

  @Test
  void editSimIsFuzzRatioOverOneHundred() {
    // difflib blocks: "hello " (6), then in "world"/"there" only "r" (1); M = 7, T = 22
    // ratio = 14/22 = 0.636 -> round(63.6) = 64 -> 0.64
    assertEquals(0.64, Metric.EDIT_SIM.score("hello world", List.of("hello there")), EPS);
    // kitten/sitting: blocks "itt" + "n" = 4, T = 13, 8/13 = 0.615 -> 62
    assertEquals(0.62, Metric.EDIT_SIM.score("kitten", List.of("sitting")), EPS);
  }

  @Test
  void editSimRoundsHalfToEvenAsPython() {
    // "abcde" matches: M = 5, T = 16, ratio 0.625 -> 62.5 -> Python round -> 62 (not 63)
    assertEquals(0.62, Metric.EDIT_SIM.score("abcdefgh", List.of("abcdeXYZ")), EPS);
  }

  @Test
  void editSimSkipsFencesAndCommentsAndTakesTheFirstCodeLine() {
    // first line without ` # // is "return x + 1"; blocks "return x" (8), "+" (1), "1" (1): M = 10, T = 22
    // 20/22 = 0.909 -> 91
    String prediction = "\n```python\n# add one\nreturn x + 1\nprint(x)\n";
    assertEquals(0.91, Metric.EDIT_SIM.score(prediction, List.of("return x+1")), EPS);
  }

  @Test
  void editSimOfOnlyCommentsScoresAsEmpty() {
    assertEquals(0.0, Metric.EDIT_SIM.score("// nothing\n# here", List.of("x = 1")), EPS);
    assertEquals(1.0, Metric.EDIT_SIM.score("x = 1", List.of("x = 1")), EPS);
  }

  @Test
  void editSimAppliesDifflibAutojunkToLongAnswers() {
    // b has 251 characters, so spaces (250 > 251/100 + 1) are "popular" and cannot seed a match;
    // only "q" matches: 2 * 1 / 262 = 0.0076 -> 1 -> 0.01 (without autojunk: 10 spaces + q -> 0.08)
    String answer = "q" + " ".repeat(250);
    assertEquals(0.01, Metric.EDIT_SIM.score(" ".repeat(10) + "q", List.of(answer)), EPS);
  }

  // ---- classification_score

  private static final List<String> TREC = List.of("Description", "Entity", "Abbreviation", "Human");

  @Test
  void classificationSharesCreditAmongNamedClasses() {
    assertEquals(1.0, Metric.CLASSIFICATION.score("Entity", List.of("Entity"), TREC), EPS);
    // names Entity and Human: 1 / 2
    assertEquals(0.5, Metric.CLASSIFICATION.score("Human or Entity", List.of("Entity"), TREC), EPS);
    assertEquals(0.0, Metric.CLASSIFICATION.score("Human", List.of("Entity"), TREC), EPS);
    assertEquals(0.0, Metric.CLASSIFICATION.score("no idea", List.of("Entity"), TREC), EPS);
  }

  @Test
  void classificationDropsClassesThatArePartOfTheAnswerName() {
    // "Animal" is named but is a substring of the answer "Animal product": removed, leaving 1 class
    List<String> classes = List.of("Animal", "Animal product");
    assertEquals(1.0, Metric.CLASSIFICATION.score("Animal product", List.of("Animal product"), classes), EPS);
  }

  @Test
  void classificationKeepsLongBenchsRemoveWhileIteratingQuirk() {
    // named [ab, abc, abcd]; removing "ab" shifts the list, so Python's loop never looks at "abc";
    // [abc, abcd] remain and the score is 1/2 (a careful loop would give 1)
    List<String> classes = List.of("ab", "abc", "abcd");
    assertEquals(0.5, Metric.CLASSIFICATION.score("abcd", List.of("abcd"), classes), EPS);
  }

  @Test
  void classificationWithoutClassesIsAnError() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Metric.CLASSIFICATION.score("Entity", List.of("Entity")));
    assertTrue(e.getMessage().contains("all_classes"), e.getMessage());
  }

  // ---- retrieval_score and count_score

  @Test
  void retrievalIsTheShareOfNumbersThatNameTheRightParagraph() {
    assertEquals(1.0, Metric.RETRIEVAL.score("Paragraph 12", List.of("Paragraph 12")), EPS);
    // numbers [3, 12], one right
    assertEquals(0.5, Metric.RETRIEVAL.score("Paragraph 3 or Paragraph 12", List.of("Paragraph 12")), EPS);
    assertEquals(0.0, Metric.RETRIEVAL.score("I do not know", List.of("Paragraph 12")), EPS);
    assertEquals(1.0, Metric.RETRIEVAL.score("段落5", List.of("段落5")), EPS);
  }

  @Test
  void retrievalAnswerWithoutAParagraphIsAnError() {
    assertThrows(IllegalArgumentException.class, () -> Metric.RETRIEVAL.score("3", List.of("three")));
  }

  @Test
  void countComparesNumbersAsStrings() {
    assertEquals(1.0, Metric.COUNT.score("There are 5 unique paragraphs.", List.of("5")), EPS);
    assertEquals(0.5, Metric.COUNT.score("5 or 7", List.of("5")), EPS);
    assertEquals(0.0, Metric.COUNT.score("05", List.of("5")), EPS);
  }

  // ---- --metric names

  @Test
  void parseAcceptsFlagNamesAndConstantNames() {
    assertEquals(Metric.EXACT_MATCH, Metric.parse("em"));
    assertEquals(Metric.QA_F1, Metric.parse("F1"));
    assertEquals(Metric.ROUGE_L, Metric.parse("rouge"));
    assertEquals(Metric.EDIT_SIM, Metric.parse("edit-sim"));
    assertEquals(Metric.CLASSIFICATION, Metric.parse("classification"));
    assertEquals(Metric.RETRIEVAL, Metric.parse("retrieval"));
    assertEquals(Metric.COUNT, Metric.parse("count"));
    assertEquals(Metric.ROUGE_L, Metric.parse("rouge_l"));
    assertEquals(Metric.QA_F1, Metric.parse("qa-f1"));
  }

  @Test
  void parseRejectsUnknownNamesListingTheKnownOnes() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Metric.parse("bleu"));
    assertTrue(e.getMessage().contains("bleu") && e.getMessage().contains("edit-sim"), e.getMessage());
  }

  /** LongBench's zh metrics with character-level segmentation (jieba would cut 北京市 as one word). */
  @Test
  void chineseF1CountsCharactersAfterNormalizeZhAnswer() {
    assertEquals(0.8, Metric.QA_F1_ZH.score("北京。", List.of("北京市")), 1e-9);
    // 答,案,gpu,4 against 答,案,gpu4 (full-width colon dropped, case folded): P 2/4, R 2/3
    assertEquals(4.0 / 7, Metric.QA_F1_ZH.score("答案：GPU 4", List.of("答案 gpu4")), 1e-9);
    assertEquals(0.0, Metric.QA_F1_ZH.score("上海", List.of("北京")));
    // ASCII words and numbers stay whole, as jieba leaves them
    assertEquals(1.0, Metric.QA_F1_ZH.score("版本 2024", List.of("版本2024")), 1e-9);
  }

  @Test
  void chineseRougeScoresCharacterSequences() {
    assertEquals(1.0, Metric.ROUGE_ZH.score("会议讨论了预算", List.of("会议讨论了预算")), 1e-6);
    double partial = Metric.ROUGE_ZH.score("会议讨论了", List.of("会议讨论了预算"));
    assertTrue(partial > 0.5 && partial < 1.0, "partial " + partial);
  }
}
