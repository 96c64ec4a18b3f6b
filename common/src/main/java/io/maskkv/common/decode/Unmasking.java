package io.maskkv.common.decode;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Which candidates a step commits: the top {@code count} by confidence, or Fast-dLLM's threshold rule. */
public final class Unmasking {
  private Unmasking() {}

  /**
   * @param threshold when {@code > 0}: the top-1 always, plus every other candidate with confidence at or above
   *     it (Fast-dLLM get_transfer_index); otherwise exactly {@code count}
   */
  public static List<Candidate> select(List<Candidate> candidates, int count, double threshold) {
    List<Candidate> sorted = new ArrayList<>(candidates);
    // stable on ties: the leftmost position wins, as torch.topk does on CPU for equal values in practice
    sorted.sort(Comparator.comparingDouble(Candidate::confidence).reversed()
        .thenComparingInt(Candidate::position));
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
}
