package io.maskkv.worker.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.maskkv.common.decode.Candidate;
import io.maskkv.common.decode.GenerationOptions;
import io.maskkv.common.decode.Remasking;
import io.maskkv.common.decode.TokenChooser;
import io.maskkv.common.decode.TransferSchedule;
import io.maskkv.common.decode.Unmasking;
import io.maskkv.common.model.ModelConfig;
import io.maskkv.worker.kv.StepCache;
import io.maskkv.worker.kv.StepCaches;
import io.maskkv.worker.kv.StepPlan;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The block-wise masked-diffusion sampler (LLaDA generate.py; Dream's sampler when its remasking is chosen)
 * over a whole model in process. Each step feeds what the cache policy says, computes logits only for the
 * masked rows of the current block, and commits per the schedule or the confidence threshold.
 */
public final class Generator {
  private final Transformer model;
  private final ModelConfig config;

  public Generator(Transformer model) {
    if (!model.hasEmbedding() || !model.hasHead()) {
      throw new IllegalArgumentException("the in-process generator needs all layers of the model");
    }
    this.model = model;
    this.config = model.config();
  }

  public GenerationResult generate(int[] prompt, GenerationOptions o, StepListener listener) {
    o.validated();
    if (prompt.length == 0) {
      throw new IllegalArgumentException("prompt is empty");
    }
    int p = prompt.length;
    int total = p + o.genLength();
    if (total > config.maxPositions()) {
      throw new IllegalArgumentException("prompt (" + p + ") plus gen length (" + o.genLength()
          + ") exceeds the model's " + config.maxPositions() + " positions");
    }
    int[] x = Arrays.copyOf(prompt, total);
    Arrays.fill(x, p, total, config.maskTokenId());
    int shift = config.shiftedLogits() ? 1 : 0;
    boolean dreamAlg = o.remasking() != Remasking.LOW_CONFIDENCE && o.remasking() != Remasking.RANDOM;
    TransferSchedule schedule = dreamAlg ? TransferSchedule.DREAM : TransferSchedule.LINEAR;
    TokenChooser chooser = new TokenChooser(o.remasking(), o.temperature(), o.topP(), o.topK(), o.seed());
    long start = System.nanoTime();
    long firstStep = 0;
    long peak = 0;
    long last = 0;
    int steps = 0;
    boolean stopped = false;
    try (NDManager session = model.manager().newSubManager();
        StepCache cache = StepCaches.create(o, model, p, total, session)) {
      for (int b = 0; b < o.blocks() && !stopped; b++) {
        int s = p + b * o.blockLength();
        int e = s + o.blockLength();
        int masks0 = countMasks(x, s, e);
        for (int i = 0; countMasks(x, s, e) > 0; i++) {
          long t0 = System.nanoTime();
          StepPlan plan = cache.plan(s, e, i == 0);
          List<Candidate> candidates = new ArrayList<>();
          try (NDManager step = session.newSubManager()) {
            int[] masked = maskedPositions(x, s, e);
            float[] logits = logits(x, plan, masked, shift, step);
            if (o.cfgScale() > 0) {
              float[] uncond = unconditionalLogits(x, p, masked, shift, step);
              for (int j = 0; j < logits.length; j++) {
                logits[j] = (float) (uncond[j] + (o.cfgScale() + 1) * (logits[j] - uncond[j]));
              }
            }
            for (int r = 0; r < masked.length; r++) {
              candidates.add(chooser.choose(masked[r], logits, r * config.vocabSize(), config.vocabSize()));
            }
          }
          int count = schedule.count(masks0, candidates.size(), Math.min(i, o.stepsPerBlock() - 1),
              o.stepsPerBlock());
          List<Candidate> chosen = Unmasking.select(candidates, Math.max(1, count), o.threshold());
          List<Candidate> relative = new ArrayList<>();
          for (Candidate c : chosen) {
            x[c.position()] = c.token();
            relative.add(new Candidate(c.position() - p, c.token(), c.confidence()));
          }
          long nanos = System.nanoTime() - t0;
          if (steps == 0) {
            firstStep = nanos;
          }
          steps++;
          last = cache.bytes();
          peak = Math.max(peak, last);
          listener.onStep(new StepEvent(steps - 1, b, relative, plan.rows(), last, nanos));
        }
        if (o.earlyStop() && firstStop(x, p, e) >= 0) {
          Arrays.fill(x, e, total, config.eosTokenId());
          stopped = true;
        }
      }
    }
    int[] response = Arrays.copyOfRange(x, p, total);
    int stop = firstStop(x, p, total);
    int[] answer = stop < 0 ? response : Arrays.copyOfRange(x, p, stop);
    long promptFull = (long) p * config.kvBytesPerTokenPerLayer() * config.layers();
    return new GenerationResult(response, answer, stop < 0 ? FinishReason.LENGTH : FinishReason.STOP, steps,
        promptFull, peak, last, firstStep, System.nanoTime() - start);
  }

  /** Logits {@code [masked, vocab]} row-major; row i is predicted from hidden row pos-shift (Dream: pos-1). */
  private float[] logits(int[] x, StepPlan plan, int[] masked, int shift, NDManager step) {
    int[] ids = Arrays.copyOfRange(x, plan.from(), plan.to());
    int[] positions = new int[ids.length];
    for (int i = 0; i < positions.length; i++) {
      positions[i] = plan.from() + i;
    }
    NDArray hidden = model.layers(model.embed(ids, step), positions, plan.view(), null, step);
    return headRows(hidden, masked, shift, plan.from(), step);
  }

  private float[] headRows(NDArray hidden, int[] masked, int shift, int from, NDManager step) {
    long[] rows = new long[masked.length];
    for (int i = 0; i < masked.length; i++) {
      rows[i] = masked[i] - shift - from;
      if (rows[i] < 0) {
        throw new IllegalStateException("position " + masked[i] + " needs hidden row " + (masked[i] - shift)
            + " which this step did not feed (from " + from + ")");
      }
    }
    NDArray selected = hidden.get(step.create(rows).toType(DataType.INT64, false));
    return model.logits(selected).toFloatArray();
  }

  /** Classifier-free guidance: the same sequence with every prompt token replaced by the mask. */
  private float[] unconditionalLogits(int[] x, int promptLength, int[] masked, int shift, NDManager step) {
    int[] ids = x.clone();
    Arrays.fill(ids, 0, promptLength, config.maskTokenId());
    int[] positions = new int[ids.length];
    for (int i = 0; i < positions.length; i++) {
      positions[i] = i;
    }
    NDArray hidden = model.layers(model.embed(ids, step), positions, KvView.NONE, null, step);
    return headRows(hidden, masked, shift, 0, step);
  }

  private int countMasks(int[] x, int from, int to) {
    int n = 0;
    for (int i = from; i < to; i++) {
      if (x[i] == config.maskTokenId()) {
        n++;
      }
    }
    return n;
  }

  private int[] maskedPositions(int[] x, int from, int to) {
    return java.util.stream.IntStream.range(from, to).filter(i -> x[i] == config.maskTokenId()).toArray();
  }

  private int firstStop(int[] x, int from, int to) {
    for (int i = from; i < to; i++) {
      if (config.isStopToken(x[i])) {
        return i;
      }
    }
    return -1;
  }
}
