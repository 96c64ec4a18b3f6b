package io.maskkv.common.decode;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;

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

  /**
   * Dream's {@code alg="origin"} (generation_utils.py): every candidate is committed independently with
   * probability {@code pTransfer} ({@code torch.rand(...) < p_transfer}); none at all is a valid step.
   */
  public static List<Candidate> origin(List<Candidate> candidates, double pTransfer, SplittableRandom random) {
    List<Candidate> out = new ArrayList<>();
    List<Candidate> byPosition = new ArrayList<>(candidates);
    byPosition.sort(Comparator.comparingInt(Candidate::position));
    for (Candidate c : byPosition) {
      if (random.nextDouble() < pTransfer) {
        out.add(c);
      }
    }
    return out;
  }

  /**
   * Dream's {@code alg_temp > 0}: {@code count} positions drawn without replacement with weights
   * softmax(confidence / algTemp) ({@code torch.multinomial(..., num_samples)}) instead of the top-k.
   */
  public static List<Candidate> sampleByConfidence(List<Candidate> candidates, int count, double algTemp,
      SplittableRandom random) {
    List<Candidate> left = new ArrayList<>(candidates);
    left.sort(Comparator.comparingInt(Candidate::position));
    double max = Double.NEGATIVE_INFINITY;
    for (Candidate c : left) {
      max = Math.max(max, c.confidence() / algTemp);
    }
    double[] w = new double[left.size()];
    for (int i = 0; i < w.length; i++) {
      w[i] = Math.exp(left.get(i).confidence() / algTemp - max);
    }
    boolean[] used = new boolean[w.length];
    List<Candidate> out = new ArrayList<>();
    for (int k = 0; k < Math.min(count, left.size()); k++) {
      double total = 0;
      for (int i = 0; i < w.length; i++) {
        total += used[i] ? 0 : w[i];
      }
      int pick = -1;
      if (total > 0) {
        double u = random.nextDouble() * total;
        for (int i = 0; i < w.length && u >= 0; i++) {
          if (!used[i] && w[i] > 0) {
            pick = i;
            u -= w[i];
          }
        }
      } else {
        // every weight left underflowed (a cold alg_temp): the softmax's limit is the most confident one
        for (int i = 0; i < w.length; i++) {
          if (!used[i] && (pick < 0 || left.get(i).confidence() > left.get(pick).confidence())) {
            pick = i;
          }
        }
      }
      out.add(left.get(pick));
      used[pick] = true;
    }
    return out;
  }

  /** Most confident first; stable on ties: the leftmost position wins, as torch.topk does on CPU in practice. */
  private static List<Candidate> sorted(List<Candidate> candidates) {
    List<Candidate> sorted = new ArrayList<>(candidates);
    sorted.sort(Comparator.comparingDouble(Candidate::confidence).reversed()
        .thenComparingInt(Candidate::position));
    return sorted;
  }
}
