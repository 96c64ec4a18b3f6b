package io.maskkv.common.decode;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Turns one row of logits into a token and its confidence. LLaDA remasking (low-confidence, random) uses the
 * Gumbel-max trick in fp64 as generate.py does; Dream's algorithms (entropy, maskgit-plus, topk-margin) use
 * Dream's {@code sample_tokens}: temperature, top-p, top-k, then sample or argmax.
 */
public final class TokenChooser {
  private final Remasking remasking;
  private final double temperature;
  private final double topP;
  private final int topK;
  private final SplittableRandom random;
  private boolean logitsEosInf;
  private boolean confidenceEosEotInf;
  private int eos = -1;
  private int eot = -1;

  public TokenChooser(Remasking remasking, double temperature, double topP, int topK, long seed) {
    this.remasking = remasking;
    this.temperature = temperature;
    this.topP = topP;
    this.topK = topK;
    this.random = new SplittableRandom(seed);
  }

  /**
   * LLaDA's EOS options (ML-GSAI/LLaDA generate.py), applied by the LLaDA remasking rules exactly as the
   * reference applies them: {@code logits_eos_inf} sets the EOS logit to -inf before the Gumbel argmax;
   * {@code confidence_eos_eot_inf} runs {@code logits_with_noise[eos] = logits[eot] = -inf} after the argmax, so
   * only the EOT change matters: the confidence softmax has no EOT, and an EOT prediction gets confidence 0.
   */
  public TokenChooser withEosRules(boolean logitsEosInf, boolean confidenceEosEotInf, int eos, int eot) {
    this.logitsEosInf = logitsEosInf;
    this.confidenceEosEotInf = confidenceEosEotInf;
    this.eos = eos;
    this.eot = eot;
    return this;
  }

  public Candidate choose(int position, float[] logits, int offset, int vocab) {
    return switch (remasking) {
      case LOW_CONFIDENCE, RANDOM -> llada(position, logits, offset, vocab);
      default -> dream(position, logits, offset, vocab);
    };
  }

  private Candidate llada(int position, float[] logits, int off, int vocab) {
    int best = 0;
    double bestScore = Double.NEGATIVE_INFINITY;
    for (int j = 0; j < vocab; j++) {
      double score = logitsEosInf && j == eos ? Double.NEGATIVE_INFINITY : logits[off + j];
      if (temperature > 0) {
        double u = Math.max(random.nextDouble(), Double.MIN_NORMAL);
        score += -temperature * Math.log(-Math.log(u)); // Gumbel noise, generate.py add_gumbel_noise
      }
      if (score > bestScore) {
        bestScore = score;
        best = j;
      }
    }
    double confidence = remasking == Remasking.RANDOM ? random.nextDouble() : softmaxAt(logits, off, vocab, best,
        logitsEosInf ? eos : -1, confidenceEosEotInf ? eot : -1);
    return new Candidate(position, best, confidence);
  }

  /** softmax(logits)[index] with the logits of {@code skipA} and {@code skipB} (if >= 0) at -inf. */
  private static double softmaxAt(float[] logits, int off, int vocab, int index, int skipA, int skipB) {
    if (index == skipA || index == skipB) {
      return 0.0;
    }
    double max = Double.NEGATIVE_INFINITY;
    for (int j = 0; j < vocab; j++) {
      if (j != skipA && j != skipB) {
        max = Math.max(max, logits[off + j]);
      }
    }
    double sum = 0;
    for (int j = 0; j < vocab; j++) {
      if (j != skipA && j != skipB) {
        sum += Math.exp(logits[off + j] - max);
      }
    }
    return Math.exp(logits[off + index] - max) / sum;
  }

  private Candidate dream(int position, float[] logits, int off, int vocab) {
    double[] z = new double[vocab];
    double t = temperature > 0 ? temperature : 1.0;
    for (int j = 0; j < vocab; j++) {
      z[j] = logits[off + j] / t;
    }
    if (topP < 1.0) {
      filterTopP(z);
    }
    if (topK > 0 && topK < vocab) {
      filterTopK(z);
    }
    double[] p = softmax(z);
    int token = temperature > 0 ? sample(p) : argmax(p);
    double confidence;
    switch (remasking) {
      case MASKGIT_PLUS -> confidence = p[token];
      case TOPK_MARGIN -> {
        double first = 0;
        double second = 0;
        for (double v : p) {
          if (v > first) {
            second = first;
            first = v;
          } else if (v > second) {
            second = v;
          }
        }
        confidence = first - second;
      }
      default -> {
        double negEntropy = 0;
        for (double v : p) {
          if (v > 0) {
            negEntropy += v * Math.log(v);
          }
        }
        confidence = negEntropy;
      }
    }
    return new Candidate(position, token, confidence);
  }

  /**
   * Dream's {@code top_p_logits} (generation_utils.py): sorted descending, a token is dropped when the mass of
   * the tokens before it is strictly above top-p ({@code cumulative_probs > top_p}, shifted right by one), so a
   * prefix whose mass equals top-p exactly keeps the next token too; the top-1 always stays.
   */
  private void filterTopP(double[] z) {
    double[] p = softmax(z);
    Integer[] order = new Integer[z.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> Double.compare(p[b], p[a]));
    double cum = 0;
    for (int r = 0; r < order.length; r++) {
      if (r > 0 && cum > topP) {
        z[order[r]] = Double.NEGATIVE_INFINITY;
      }
      cum += p[order[r]];
    }
  }

  private void filterTopK(double[] z) {
    double[] sorted = z.clone();
    Arrays.sort(sorted);
    double kth = sorted[sorted.length - topK];
    for (int j = 0; j < z.length; j++) {
      if (z[j] < kth) {
        z[j] = Double.NEGATIVE_INFINITY;
      }
    }
  }

  private static double[] softmax(double[] z) {
    double max = Double.NEGATIVE_INFINITY;
    for (double v : z) {
      max = Math.max(max, v);
    }
    double[] p = new double[z.length];
    double sum = 0;
    for (int j = 0; j < z.length; j++) {
      p[j] = Math.exp(z[j] - max);
      sum += p[j];
    }
    for (int j = 0; j < z.length; j++) {
      p[j] /= sum;
    }
    return p;
  }

  private int sample(double[] p) {
    double u = random.nextDouble();
    double cum = 0;
    for (int j = 0; j < p.length; j++) {
      cum += p[j];
      if (u < cum) {
        return j;
      }
    }
    return argmax(p);
  }

  private static int argmax(double[] p) {
    int best = 0;
    for (int j = 1; j < p.length; j++) {
      if (p[j] > p[best]) {
        best = j;
      }
    }
    return best;
  }
}
