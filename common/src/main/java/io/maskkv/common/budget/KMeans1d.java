package io.maskkv.common.budget;

import java.util.Arrays;

/** Lloyd's k-means on scalars, initialised at evenly spaced quantiles so the result is deterministic. */
final class KMeans1d {
  private KMeans1d() {}

  static int[] cluster(double[] x, int k) {
    int n = x.length;
    double[] sorted = x.clone();
    Arrays.sort(sorted);
    double[] c = new double[k];
    for (int j = 0; j < k; j++) {
      c[j] = sorted[(int) Math.round((double) j * (n - 1) / Math.max(1, k - 1))];
    }
    int[] assign = new int[n];
    for (int iter = 0; iter < 100; iter++) {
      boolean changed = false;
      for (int i = 0; i < n; i++) {
        int best = 0;
        for (int j = 1; j < k; j++) {
          if (Math.abs(x[i] - c[j]) < Math.abs(x[i] - c[best])) {
            best = j;
          }
        }
        changed |= assign[i] != best;
        assign[i] = best;
      }
      for (int j = 0; j < k; j++) {
        double sum = 0;
        int count = 0;
        for (int i = 0; i < n; i++) {
          if (assign[i] == j) {
            sum += x[i];
            count++;
          }
        }
        if (count > 0) {
          c[j] = sum / count;
        }
      }
      if (!changed && iter > 0) {
        break;
      }
    }
    return assign;
  }

  static int highestCentroid(double[] x, int[] assign, int k) {
    int best = -1;
    double bestMean = Double.NEGATIVE_INFINITY;
    for (int j = 0; j < k; j++) {
      double sum = 0;
      int count = 0;
      for (int i = 0; i < x.length; i++) {
        if (assign[i] == j) {
          sum += x[i];
          count++;
        }
      }
      if (count > 0 && sum / count > bestMean) {
        bestMean = sum / count;
        best = j;
      }
    }
    return best;
  }
}
