package io.maskkv.bench.longbench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The segmentation our zh metrics use where LongBench's use jieba ({@code metrics.py}: {@code qa_f1_zh_score},
 * {@code rouge_zh_score} cut with {@code jieba.cut(..., cut_all=False)}). We have no jieba dictionary on the
 * JVM, so every CJK (or other non-ASCII) character is one token and a run of ASCII letters and digits is one
 * token, as jieba also leaves English words and numbers whole. Character-level scores run somewhat higher than
 * jieba's word-level ones (a half-right word still shares characters), so zh numbers compare between our own
 * runs, not digit for digit with published tables.
 */
final class ChineseTokens {
  /** {@code normalize_zh_answer}'s Chinese punctuation, beside Python's {@code string.punctuation}. */
  private static final String CN_PUNCTUATION =
      "！？｡。＂＃＄％＆＇（）＊＋，－／：；＜＝＞＠［＼］＾＿｀｛｜｝～｟｠｢｣､、〃》「」『』【】〔〕〖〗〘〙〚〛〜〝〞〟〰〾〿–—‘’‛“”„‟…‧﹏.";
  private static final String PUNCTUATION = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";

  private ChineseTokens() {}

  /** Tokens in order, whitespace dropped (jieba keeps it as tokens; normalize_zh_answer then empties them). */
  static List<String> split(String text) {
    List<String> out = new ArrayList<>();
    StringBuilder word = new StringBuilder();
    text.codePoints().forEach(cp -> {
      if (cp < 128 && Character.isLetterOrDigit(cp)) {
        word.appendCodePoint(cp);
        return;
      }
      if (word.length() > 0) {
        out.add(word.toString());
        word.setLength(0);
      }
      if (!Character.isWhitespace(cp)) {
        out.add(new String(Character.toChars(cp)));
      }
    });
    if (word.length() > 0) {
      out.add(word.toString());
    }
    return out;
  }

  /**
   * {@code qa_f1_zh_score}'s tokens: each segment through {@code normalize_zh_answer} (lowercase, no ASCII or
   * Chinese punctuation, no whitespace), empty ones dropped.
   */
  static List<String> normalized(String text) {
    List<String> out = new ArrayList<>();
    for (String t : split(text)) {
      StringBuilder kept = new StringBuilder();
      t.toLowerCase(Locale.ROOT).codePoints()
          .filter(cp -> PUNCTUATION.indexOf(cp) < 0 && CN_PUNCTUATION.indexOf(cp) < 0 && !Character.isWhitespace(cp))
          .forEach(kept::appendCodePoint);
      if (kept.length() > 0) {
        out.add(kept.toString());
      }
    }
    return out;
  }
}
