package io.maskkv.common.decode;

import io.maskkv.common.model.ModelConfig;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;

/**
 * The block-wise masked-diffusion schedule (LLaDA generate.py; Dream's when a Dream remasking is chosen):
 * decides which positions each step commits, over any {@link StepExecutor}. The same driver runs in process
 * and at the controller, so every deployment commits the same tokens for the same candidates.
 */
public final class DenoisingDriver {
  private DenoisingDriver() {}

  public static GenerationResult run(int[] prompt, GenerationOptions o, ModelConfig config, StepExecutor executor,
      StepListener listener) {
    return run(prompt, o, config, executor, listener, () -> false);
  }

  /**
   * @param cancelled polled before each step; when it turns true generation stops with {@link FinishReason#CANCELLED}
   */
  public static GenerationResult run(int[] prompt, GenerationOptions o, ModelConfig config, StepExecutor executor,
      StepListener listener, BooleanSupplier cancelled) {
    o.validated();
    int p = prompt.length;
    int total = p + o.genLength();
    int mask = config.maskTokenId();
    int[] x = Arrays.copyOf(prompt, total);
    Arrays.fill(x, p, total, mask);
    boolean[] dropped = new boolean[total];
    boolean dreamAlg = o.remasking() != Remasking.LOW_CONFIDENCE && o.remasking() != Remasking.RANDOM;
    TransferSchedule schedule = dreamAlg ? TransferSchedule.dream(o.eps()) : TransferSchedule.LINEAR;
    // the positions origin and alg_temp draw; its own stream, so the tokens' sampling on the workers is unchanged
    SplittableRandom positions = new SplittableRandom(o.seed() ^ 0x5DEECE66DL);
    long start = System.nanoTime();
    long firstStep = 0;
    long peak = 0;
    long last = 0;
    int steps = 0;
    boolean stopped = false;
    FinishReason reason = null;
    for (int b = 0; b < o.blocks() && !stopped; b++) {
      int s = p + b * o.blockLength();
      int e = s + o.blockLength();
      int masks0 = masked(x, s, e, mask, dropped).length;
      for (int i = 0; masked(x, s, e, mask, dropped).length > 0; i++) {
        if (cancelled.getAsBoolean()) {
          reason = FinishReason.CANCELLED;
          stopped = true;
          break;
        }
        long t0 = System.nanoTime();
        int[] maskedNow = masked(x, s, e, mask, dropped);
        List<Candidate> candidates = executor.step(new StepRequest(s, e, i == 0, x.clone(), maskedNow));
        int stepInBlock = Math.min(i, o.stepsPerBlock() - 1);
        int count = schedule.count(masks0, candidates.size(), stepInBlock, o.stepsPerBlock());
        List<Candidate> chosen;
        if (o.factor() > 0) {
          chosen = Unmasking.selectByFactor(candidates, o.factor());
        } else if (o.remasking() == Remasking.ORIGIN) {
          chosen = Unmasking.origin(candidates,
              TransferSchedule.dreamTransferProbability(stepInBlock, o.stepsPerBlock(), o.eps()), positions);
        } else if (dreamAlg && o.threshold() == 0 && o.algTemp() > 0) {
          chosen = Unmasking.sampleByConfidence(candidates, count, o.algTemp(), positions);
        } else {
          // Dream's schedule may ask for 0 tokens (int() truncates), and Dream then runs a step that commits none
          chosen = Unmasking.select(candidates, dreamAlg && o.threshold() == 0 ? count : Math.max(1, count),
              o.threshold());
        }
        List<Candidate> relative = new ArrayList<>();
        for (Candidate c : chosen) {
          x[c.position()] = c.token();
          relative.add(new Candidate(c.position() - p, c.token(), c.confidence()));
          if (o.earlyStop() && config.isStopToken(c.token())) {
            // Elastic-Cache / Fast-dLLM: masks after a committed EOS are no longer decoded (they stay masks
            // for the model; the response shows EOS there)
            for (int j = c.position() + 1; j < total; j++) {
              dropped[j] = x[j] == mask;
            }
          }
        }
        if (!dreamAlg && masked(x, s, e, mask, dropped).length >= maskedNow.length) {
          throw new IllegalStateException("step " + steps + " committed no token (the executor proposed "
              + candidates.size() + " candidates for " + maskedNow.length + " masked positions)");
        }
        long nanos = System.nanoTime() - t0;
        if (steps == 0) {
          firstStep = nanos;
        }
        steps++;
        last = executor.kvBytes();
        peak = Math.max(peak, last);
        listener.onStep(new StepEvent(steps - 1, b, relative, executor.lastRowsFed(), last, nanos));
      }
      if (!stopped && o.earlyStop() && firstStop(x, p, e, config) >= 0) {
        Arrays.fill(x, e, total, config.eosTokenId());
        stopped = true;
      }
    }
    for (int j = p; j < total; j++) {
      if (dropped[j] || x[j] == mask) {
        x[j] = config.eosTokenId();
      }
    }
    int[] response = Arrays.copyOfRange(x, p, total);
    int stop = firstStop(x, p, total, config);
    int[] answer = stop < 0 ? response : Arrays.copyOfRange(x, p, stop);
    if (reason == null) {
      reason = stop < 0 ? FinishReason.LENGTH : FinishReason.STOP;
    }
    long promptFull = (long) p * config.kvBytesPerTokenPerLayer() * config.layers();
    return new GenerationResult(response, answer, reason, steps, promptFull, peak, last, firstStep,
        System.nanoTime() - start, executor.layerStepsRecomputed(), executor.layerSteps());
  }

  static int[] masked(int[] x, int from, int to, int mask, boolean[] dropped) {
    return java.util.stream.IntStream.range(from, to).filter(i -> x[i] == mask && !dropped[i]).toArray();
  }

  private static int firstStop(int[] x, int from, int to, ModelConfig config) {
    for (int i = from; i < to; i++) {
      if (config.isStopToken(x[i])) {
        return i;
      }
    }
    return -1;
  }
}
