package io.maskkv.common.decode;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Which candidates a step commits: the top {@code count} by confidence, or Fast-dLLM's threshold or factor rule. */
public final class Unmasking {
  private Unmasking() {}

  /**
   * @param threshold when {@code > 0}: the top-1 always, plus every other candidate with confidence at or above
   *     it (Fast-dLLM get_transfer_index); otherwise exactly {@code count}
   */
  public static List<Candidate> select(List<Candidate> candidates, int count, double threshold) {
    List<Candidate> sorted = sorted(candidates);
    if (sorted.isEmpty()) {
      return sorted;
    }
    if (threshold > 0) {
      List<Candidate> out = new ArrayList<>();
      out.add(sorted.get(0));
      for (int i = 1; i < sorted.size(); i++) {
        if (sorted.get(i).confidence() >= threshold) {
          out.add(sorted.get(i));
        }
      }
      return out;
    }
    return sorted.subList(0, Math.min(count, sorted.size()));
  }

  /**
   * Fast-dLLM's factor rule (NVlabs/Fast-dLLM llada/generate.py {@code get_transfer_index_dynamic}): with the
   * block's confidences sorted descending, the n-th (1-based) passes when {@code c_n >= 1 - factor / (n + 1)}
   * (the first always passes); the leading run of passes is committed. Kept as the reference has it: a run that
   * breaks only at the last candidate commits that one too ({@code top_i == len(threshs) - 1} adds one).
   */
  public static List<Candidate> selectByFactor(List<Candidate> candidates, double factor) {
    List<Candidate> sorted = sorted(candidates);
    if (sorted.isEmpty()) {
      return sorted;
    }
    int n = sorted.size();
    int topI = 0;
    for (; topI < n; topI++) {
      double thresh = topI == 0 ? -1 : 1 - factor / (topI + 2);
      if (sorted.get(topI).confidence() < thresh) {
        break;
      }
    }
    // Python's loop variable stays at n - 1 when nothing breaks; both that and a break there add one
    if (topI == n) {
      topI = n - 1;
    }
    if (topI == 0 || topI == n - 1) {
      topI++;
    }
    return sorted.subList(0, topI);
  }

  /** Most confident first; stable on ties: the leftmost position wins, as torch.topk does on CPU in practice. */
  private static List<Candidate> sorted(List<Candidate> candidates) {
    List<Candidate> sorted = new ArrayList<>(candidates);
    sorted.sort(Comparator.comparingDouble(Candidate::confidence).reversed()
        .thenComparingInt(Candidate::position));
    return sorted;
  }
}
