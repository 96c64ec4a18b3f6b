package io.maskkv.bench.longbench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * ROUGE-L F as LongBench computes it: {@code Rouge().get_scores([pred], [ref], avg=True)["rouge-l"]["f"]}
 * from the {@code rouge} package (pltrdy/rouge 1.0.1, {@code rouge_l_summary_level} with its default
 * {@code exclusive=True}). That is not the textbook token LCS; its quirks are kept so that scores compare:
 * <ul>
 *   <li>both texts are cut into sentences at every '.', and each sentence is split on single spaces after
 *       whitespace is collapsed; there is no lowercasing and no punctuation removal;</li>
 *   <li>the union LCS and both lengths are counted over <em>sets</em> of distinct words, so repeated words
 *       count once ("the cat on the mat" contributes 4, not 5);</li>
 *   <li>which LCS is taken matters for those sets, so the traceback breaks ties exactly as
 *       {@code _recon_lcs} does (step in the hypothesis unless the reference step is strictly better);</li>
 *   <li>F = 2PR / (P + R + 1e-8).</li>
 * </ul>
 * An empty hypothesis or reference makes the package raise, which LongBench turns into 0. One divergence:
 * Python's recursive traceback overflows its stack (and so scores 0) for sentence pairs with about 1000
 * words between them; this iterative one does not.
 */
final class RougeL {
  private RougeL() {}

  static double score(String prediction, String reference) {
    List<List<String>> hyp = sentences(prediction);
    List<List<String>> ref = sentences(reference);
    if (hyp.isEmpty() || ref.isEmpty()) {
      return 0.0;
    }
    int m = distinctWords(ref);
    int n = distinctWords(hyp);
    // Summing the growth of one union over all reference sentences is just the size of the final union.
    Set<String> union = new HashSet<>();
    for (List<String> r : ref) {
      for (List<String> h : hyp) {
        union.addAll(lcsTraceback(r, h));
      }
    }
    double llcs = union.size();
    double recall = llcs / m;
    double precision = llcs / n;
    return 2.0 * ((precision * recall) / (precision + recall + 1e-8));
  }

  /** {@code [" ".join(s.split()) for s in text.split(".") if len(s) > 0]}, each then split on " ". */
  private static List<List<String>> sentences(String text) {
    List<List<String>> out = new ArrayList<>();
    for (String piece : PythonText.splitOn(text, ".")) {
      if (!piece.isEmpty()) {
        // A whitespace-only piece survives the filter and becomes one empty word, as in Python.
        out.add(PythonText.splitOn(String.join(" ", PythonText.split(piece)), " "));
      }
    }
    return out;
  }

  private static int distinctWords(List<List<String>> sentences) {
    Set<String> words = new HashSet<>();
    sentences.forEach(words::addAll);
    return words.size();
  }

  /** The words of one longest common subsequence of x (reference) and y (hypothesis), as _recon_lcs picks it. */
  static List<String> lcsTraceback(List<String> x, List<String> y) {
    int[][] table = new int[x.size() + 1][y.size() + 1];
    for (int i = 1; i <= x.size(); i++) {
      for (int j = 1; j <= y.size(); j++) {
        table[i][j] = x.get(i - 1).equals(y.get(j - 1))
            ? table[i - 1][j - 1] + 1
            : Math.max(table[i - 1][j], table[i][j - 1]);
      }
    }
    List<String> reversed = new ArrayList<>();
    int i = x.size();
    int j = y.size();
    while (i > 0 && j > 0) {
      if (x.get(i - 1).equals(y.get(j - 1))) {
        reversed.add(x.get(i - 1));
        i--;
        j--;
      } else if (table[i - 1][j] > table[i][j - 1]) {
        i--;
      } else {
        j--;
      }
    }
    Collections.reverse(reversed);
    return reversed;
  }
}
