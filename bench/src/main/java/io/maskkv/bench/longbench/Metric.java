package io.maskkv.bench.longbench;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The LongBench metrics (THUDM/LongBench {@code metrics.py}), each scoring one prediction against a list of
 * accepted answers as the maximum over the answers, starting from 0 as LongBench's {@code scorer} does. All
 * scores are in [0, 1]; LongBench reports them times 100.
 */
public enum Metric {
  /**
   * Not a LongBench metric; used for our procedural tasks whose answer is a word (vartrack-path, whose answer's
   * end is part of it, uses {@link #WHOLE_MATCH}). The prediction scores 1 when its normalized tokens
   * ({@code normalize_answer}, below) begin with the answer's normalized tokens: a model that answers and then
   * keeps generating is still right, but "v4" does not match "v42".
   * An answer that normalizes to nothing only matches a prediction that does too.
   */
  EXACT_MATCH("em") {
    @Override
    double scoreOne(String prediction, String answer, List<String> allClasses) {
      List<String> p = AnswerNormalizer.tokens(prediction);
      List<String> a = AnswerNormalizer.tokens(answer);
      if (a.isEmpty()) {
        return p.isEmpty() ? 1.0 : 0.0;
      }
      return p.size() >= a.size() && p.subList(0, a.size()).equals(a) ? 1.0 : 0.0;
    }
  },

  /**
   * Not a LongBench metric; used for our tasks whose answer is several words and ends where it should
   * (vartrack-path: a path that runs on past its value names a hop that is not there). The prediction scores 1
   * when its normalized tokens are exactly the answer's.
   */
  WHOLE_MATCH("whole") {
    @Override
    double scoreOne(String prediction, String answer, List<String> allClasses) {
      return AnswerNormalizer.tokens(prediction).equals(AnswerNormalizer.tokens(answer)) ? 1.0 : 0.0;
    }
  },

  /** {@code qa_f1_score}: bag-of-tokens F1 after {@code normalize_answer}. */
  QA_F1("f1") {
    @Override
    double scoreOne(String prediction, String answer, List<String> allClasses) {
      return f1(AnswerNormalizer.tokens(prediction), AnswerNormalizer.tokens(answer));
    }
  },

  /**
   * {@code qa_f1_zh_score} (multifieldqa_zh): bag-of-tokens F1 over {@link ChineseTokens}' character-level
   * segmentation (LongBench: jieba words), each token through {@code normalize_zh_answer}.
   */
  QA_F1_ZH("f1-zh") {
    @Override
    double scoreOne(String prediction, String answer, List<String> allClasses) {
      return f1(ChineseTokens.normalized(prediction), ChineseTokens.normalized(answer));
    }
  },

  /**
   * {@code rouge_zh_score} (dureader, vcsum): {@link #ROUGE_L} over the texts with their {@link ChineseTokens}
   * joined by spaces (LongBench: jieba words joined by spaces).
   */
  ROUGE_ZH("rouge-zh") {
    @Override
    double scoreOne(String prediction, String answer, List<String> allClasses) {
      return RougeL.score(String.join(" ", ChineseTokens.split(prediction)),
          String.join(" ", ChineseTokens.split(answer)));
    }
  },

  /** {@code rouge_score}: ROUGE-L F of the {@code rouge} package; see {@link RougeL} for its quirks. */
  ROUGE_L("rouge") {
    @Override
    double scoreOne(String prediction, String answer, List<String> allClasses) {
      return RougeL.score(prediction, answer);
    }
  },

  /**
   * {@code code_sim_score}: fuzz.ratio / 100 between the answer and the first line of the prediction that
   * holds no backtick, '#' or "//" (so code fences and comments are skipped); no such line scores as "".
   */
  EDIT_SIM("edit-sim") {
    @Override
    double scoreOne(String prediction, String answer, List<String> allClasses) {
      String line = "";
      for (String l : PythonText.splitOn(prediction.replaceFirst("^\n+", ""), "\n")) {
        if (!l.contains("`") && !l.contains("#") && !l.contains("//")) {
          line = l;
          break;
        }
      }
      return FuzzRatio.ratio(line, answer) / 100.0;
    }
  },

  /**
   * {@code classification_score}: the classes named (as substrings) in the prediction, less those that are
   * only part of the answer's own name; 1/|named| when the answer is among them. Two LongBench quirks are
   * kept: the removal loop skips the element after each removal (Python's list.remove while iterating),
   * and the difflib fallback never runs ({@code em_match_list != 0} is always true), so naming no class
   * scores 0. Needs the record's {@code all_classes}.
   */
  CLASSIFICATION("classification") {
    @Override
    double scoreOne(String prediction, String answer, List<String> allClasses) {
      if (allClasses == null) {
        throw new IllegalArgumentException("classification scoring needs the record's all_classes");
      }
      List<String> named = new ArrayList<>();
      for (String c : allClasses) {
        if (prediction.contains(c)) {
          named.add(c);
        }
      }
      for (int i = 0; i < named.size(); i++) {
        String term = named.get(i);
        if (answer.contains(term) && !term.equals(answer)) {
          named.remove(named.indexOf(term)); // Python removes the first equal element, then moves on
        }
      }
      return named.contains(answer) ? 1.0 / named.size() : 0.0;
    }
  },

  /**
   * {@code retrieval_score} (and {@code retrieval_zh_score}): the paragraph number in the answer
   * ("Paragraph 12", or "段落12" for the Chinese set), scored as the fraction of the numbers in the
   * prediction that equal it.
   */
  RETRIEVAL("retrieval") {
    @Override
    double scoreOne(String prediction, String answer, List<String> allClasses) {
      Matcher m = PARAGRAPH_EN.matcher(answer);
      if (!m.find()) {
        m = PARAGRAPH_ZH.matcher(answer);
        if (!m.find()) {
          throw new IllegalArgumentException("retrieval answer '" + answer + "' names no 'Paragraph N'");
        }
      }
      return fractionOfNumbersEqualTo(prediction, m.group(1));
    }
  },

  /** {@code count_score} (passage_count): the fraction of the numbers in the prediction equal to the answer. */
  COUNT("count") {
    @Override
    double scoreOne(String prediction, String answer, List<String> allClasses) {
      return fractionOfNumbersEqualTo(prediction, answer);
    }
  };

  // Python 3's \d matches every Unicode decimal digit.
  private static final Pattern NUMBER = Pattern.compile("\\d+", Pattern.UNICODE_CHARACTER_CLASS);
  private static final Pattern PARAGRAPH_EN = Pattern.compile("Paragraph (\\d+)", Pattern.UNICODE_CHARACTER_CLASS);
  private static final Pattern PARAGRAPH_ZH = Pattern.compile("段落(\\d+)", Pattern.UNICODE_CHARACTER_CLASS);

  private final String cliName;

  Metric(String cliName) {
    this.cliName = cliName;
  }

  /** The name a {@code --metric} flag takes. */
  public String cliName() {
    return cliName;
  }

  /** Max over the answers; 0 when there are none. */
  public double score(String prediction, List<String> answers) {
    return score(prediction, answers, null);
  }

  /** As {@link #score(String, List)}, with the label set that {@link #CLASSIFICATION} needs. */
  public double score(String prediction, List<String> answers, List<String> allClasses) {
    double best = 0.0;
    for (String answer : answers) {
      best = Math.max(best, scoreOne(prediction, answer, allClasses));
    }
    return best;
  }

  abstract double scoreOne(String prediction, String answer, List<String> allClasses);

  /**
   * Parses a {@code --metric} value: em, f1, rouge, edit-sim, classification, retrieval, count, or a constant
   * name in any case ({@code exact_match}, {@code qa_f1}, {@code rouge_l}).
   */
  public static Metric parse(String name) {
    String n = name.strip().toLowerCase(Locale.ROOT);
    for (Metric m : values()) {
      if (m.cliName.equals(n) || m.name().toLowerCase(Locale.ROOT).equals(n.replace('-', '_'))) {
        return m;
      }
    }
    List<String> known = new ArrayList<>();
    for (Metric m : values()) {
      known.add(m.cliName);
    }
    throw new IllegalArgumentException("unknown metric '" + name + "'; expected one of " + String.join(", ", known));
  }

  /** {@code f1_score} of metrics.py over two token lists (bag of tokens, with multiplicity). */
  static double f1(List<String> p, List<String> g) {
    Map<String, Integer> counts = new HashMap<>();
    g.forEach(t -> counts.merge(t, 1, Integer::sum));
    int same = 0;
    for (String t : p) {
      Integer left = counts.get(t);
      if (left != null && left > 0) {
        counts.put(t, left - 1);
        same++;
      }
    }
    if (same == 0) {
      return 0.0;
    }
    double precision = 1.0 * same / p.size();
    double recall = 1.0 * same / g.size();
    return (2 * precision * recall) / (precision + recall);
  }

  private static double fractionOfNumbersEqualTo(String prediction, String expected) {
    Matcher m = NUMBER.matcher(prediction);
    int numbers = 0;
    int right = 0;
    while (m.find()) {
      numbers++;
      if (m.group().equals(expected)) {
        right++;
      }
    }
    return numbers == 0 ? 0.0 : (double) right / numbers;
  }
}
