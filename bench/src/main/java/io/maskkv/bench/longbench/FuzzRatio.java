package io.maskkv.bench.longbench;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code fuzzywuzzy.fuzz.ratio} (0.18.0) as LongBench's {@code code_sim_score} calls it: equal strings give
 * 100, an empty one gives 0, otherwise {@code round(100 * SequenceMatcher(None, s1, s2).ratio())} with
 * Python's {@code difflib.SequenceMatcher} (the pure-Python backend fuzzywuzzy falls back to without
 * python-Levenshtein), so 2·M/T where M counts the characters of the Ratcliff–Obershelp matching blocks,
 * including difflib's "autojunk" rule for second strings of 200 or more characters. Characters are Unicode
 * code points, as Python indexes them.
 */
final class FuzzRatio {
  private FuzzRatio() {}

  /** 0..100, as fuzz.ratio returns it. */
  static int ratio(String s1, String s2) {
    if (s1.equals(s2)) {
      return 100;
    }
    if (s1.isEmpty() || s2.isEmpty()) {
      return 0;
    }
    int[] a = s1.codePoints().toArray();
    int[] b = s2.codePoints().toArray();
    double r = 2.0 * matchingCharacters(a, b) / (a.length + b.length);
    return (int) Math.rint(100 * r); // Python's round() is half-to-even, like rint
  }

  /** Sum of the sizes of {@code SequenceMatcher.get_matching_blocks()}. */
  static int matchingCharacters(int[] a, int[] b) {
    Map<Integer, List<Integer>> b2j = indexOf(b);
    int total = 0;
    Deque<int[]> queue = new ArrayDeque<>();
    queue.push(new int[] {0, a.length, 0, b.length});
    while (!queue.isEmpty()) {
      int[] q = queue.pop();
      int alo = q[0], ahi = q[1], blo = q[2], bhi = q[3];
      int[] match = findLongestMatch(a, b, b2j, alo, ahi, blo, bhi);
      int i = match[0], j = match[1], k = match[2];
      if (k > 0) {
        total += k;
        if (alo < i && blo < j) {
          queue.push(new int[] {alo, i, blo, j});
        }
        if (i + k < ahi && j + k < bhi) {
          queue.push(new int[] {i + k, ahi, j + k, bhi});
        }
      }
    }
    return total;
  }

  /** difflib's {@code __chain_b}: positions of each element of b, minus "popular" ones when b is long. */
  private static Map<Integer, List<Integer>> indexOf(int[] b) {
    Map<Integer, List<Integer>> b2j = new HashMap<>();
    for (int j = 0; j < b.length; j++) {
      b2j.computeIfAbsent(b[j], x -> new ArrayList<>()).add(j);
    }
    if (b.length >= 200) {
      int ntest = b.length / 100 + 1;
      b2j.values().removeIf(positions -> positions.size() > ntest);
    }
    return b2j;
  }

  /** difflib's {@code find_longest_match} with no junk function: returns {i, j, size}. */
  private static int[] findLongestMatch(
      int[] a, int[] b, Map<Integer, List<Integer>> b2j, int alo, int ahi, int blo, int bhi) {
    int besti = alo, bestj = blo, bestsize = 0;
    Map<Integer, Integer> j2len = new HashMap<>();
    for (int i = alo; i < ahi; i++) {
      Map<Integer, Integer> newj2len = new HashMap<>();
      for (int j : b2j.getOrDefault(a[i], List.of())) {
        if (j < blo) {
          continue;
        }
        if (j >= bhi) {
          break;
        }
        int k = j2len.getOrDefault(j - 1, 0) + 1;
        newj2len.put(j, k);
        if (k > bestsize) {
          besti = i - k + 1;
          bestj = j - k + 1;
          bestsize = k;
        }
      }
      j2len = newj2len;
    }
    // Popular elements were left out of b2j but are not junk, so the match still grows over them.
    while (besti > alo && bestj > blo && a[besti - 1] == b[bestj - 1]) {
      besti--;
      bestj--;
      bestsize++;
    }
    while (besti + bestsize < ahi && bestj + bestsize < bhi && a[besti + bestsize] == b[bestj + bestsize]) {
      bestsize++;
    }
    return new int[] {besti, bestj, bestsize};
  }
}
