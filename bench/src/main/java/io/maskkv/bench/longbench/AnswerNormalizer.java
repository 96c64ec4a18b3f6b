package io.maskkv.bench.longbench;

import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * LongBench's {@code normalize_answer} (metrics.py, from the SQuAD evaluation script): lowercase, drop ASCII
 * punctuation ({@code string.punctuation}), replace the articles a/an/the by a space, collapse whitespace.
 * The steps run in that order, as in Python, because removing punctuation first can join an article to a
 * word ("the-end" becomes "theend", which keeps its letters).
 */
final class AnswerNormalizer {
  private static final String PUNCTUATION = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";
  // Python 3 str patterns are Unicode-aware, so \b must be too.
  private static final Pattern ARTICLES = Pattern.compile("\\b(a|an|the)\\b", Pattern.UNICODE_CHARACTER_CLASS);

  private AnswerNormalizer() {}

  static String normalize(String s) {
    String lower = s.toLowerCase(Locale.ROOT);
    StringBuilder noPunct = new StringBuilder(lower.length());
    for (int i = 0; i < lower.length(); i++) {
      char c = lower.charAt(i);
      if (PUNCTUATION.indexOf(c) < 0) {
        noPunct.append(c);
      }
    }
    String noArticles = ARTICLES.matcher(noPunct).replaceAll(" ");
    return String.join(" ", PythonText.split(noArticles));
  }

  /** {@code normalize_answer(s).split()}. */
  static List<String> tokens(String s) {
    return PythonText.split(normalize(s));
  }
}
