package io.maskkv.bench.tasks;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/** Seeded draws shared by the generators. */
final class Sampling {
  private Sampling() {}

  /** k distinct indices from [0, n), in random order (a partial Fisher–Yates shuffle). */
  static int[] distinct(SplittableRandom rnd, int n, int k) {
    if (k > n) {
      throw new IllegalArgumentException("cannot draw " + k + " distinct items from " + n);
    }
    int[] all = new int[n];
    for (int i = 0; i < n; i++) {
      all[i] = i;
    }
    for (int i = 0; i < k; i++) {
      int j = i + rnd.nextInt(n - i);
      int t = all[i];
      all[i] = all[j];
      all[j] = t;
    }
    return Arrays.copyOf(all, k);
  }

  /** k distinct words of a list, in random order. */
  static List<String> distinctWords(SplittableRandom rnd, List<String> words, int k) {
    return Arrays.stream(distinct(rnd, words.size(), k)).mapToObj(words::get).toList();
  }

  static <T> void shuffle(SplittableRandom rnd, List<T> list) {
    for (int i = list.size() - 1; i > 0; i--) {
      int j = rnd.nextInt(i + 1);
      T t = list.get(i);
      list.set(i, list.get(j));
      list.set(j, t);
    }
  }

  static int clamp(int v, int lo, int hi) {
    return Math.max(lo, Math.min(hi, v));
  }
}
