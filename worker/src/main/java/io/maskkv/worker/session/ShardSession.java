package io.maskkv.worker.session;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.maskkv.common.budget.BudgetPlan;
import io.maskkv.common.budget.EvictionDecision;
import io.maskkv.common.decode.Candidate;
import io.maskkv.common.decode.GenerationOptions;
import io.maskkv.common.decode.Refresh;
import io.maskkv.common.decode.StepRequest;
import io.maskkv.common.decode.TokenChooser;
import io.maskkv.common.model.ModelConfig;
import io.maskkv.worker.engine.KvView;
import io.maskkv.worker.engine.Rows;
import io.maskkv.worker.engine.Transformer;
import io.maskkv.worker.kv.StepCache;
import io.maskkv.worker.kv.StepCaches;
import io.maskkv.worker.kv.StepPlan;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * One session on one shard (a layer range): owns the session's KV cache for those layers and runs their part
 * of each step. The first shard embeds the fed tokens; the others take the previous shard's hidden rows; the
 * last shard turns the masked rows into candidates (best token and confidence). A whole model is one shard.
 */
public final class ShardSession implements AutoCloseable {
  private final Transformer shard;
  private final ModelConfig config;
  private final GenerationOptions options;
  private final NDManager session;
  private final StepCache cache;
  private final TokenChooser chooser;
  private final int promptLength;
  private final int shift;
  private int lastRows;

  /**
   * @param plan the session's options and budget plan, as the request's entry point computed them (the
   *     controller, or {@link Generator#plan} in process)
   */
  public ShardSession(Transformer shard, BudgetPlan plan, Consumer<EvictionDecision> decisions) {
    this.shard = shard;
    this.config = shard.config();
    this.options = plan.options().validated();
    this.promptLength = plan.promptLength();
    this.shift = config.shiftedLogits() ? 1 : 0;
    int total = promptLength + options.genLength();
    if (promptLength <= 0) {
      throw new IllegalArgumentException("prompt is empty");
    }
    if (total > config.maxPositions()) {
      throw new IllegalArgumentException("prompt (" + promptLength + ") plus gen length (" + options.genLength()
          + ") exceeds the model's " + config.maxPositions() + " positions");
    }
    this.session = shard.manager().newSubManager();
    try {
      this.cache = StepCaches.create(plan, shard, total, session, decisions);
    } catch (RuntimeException e) {
      session.close();
      throw e;
    }
    this.chooser = new TokenChooser(options.remasking(), options.temperature(), options.topP(), options.topK(),
        options.seed()).withEosRules(options.logitsEosInf(), options.confidenceEosEotInf(), config.eosTokenId(),
        config.eotTokenId());
  }

  /** What this shard hands on: hidden rows {@code [rows, d]} for the next shard, or candidates from the last. */
  public record Output(float[] hidden, int rows, List<Candidate> candidates) {}

  /**
   * One step alone: {@link #prepare}, this shard's layers, {@link #finish}.
   *
   * @param hiddenIn the previous shard's hidden rows, row-major {@code [rows, d]}; null on the first shard
   */
  public Output step(StepRequest r, float[] hiddenIn) {
    Prepared p = prepare(r, hiddenIn);
    try {
      return finish(p, shard.run(p.rows(), p.view(), null, p.scope()));
    } finally {
      p.scope().close();
    }
  }

  /**
   * A step ready to run: its fed rows (embedded on the first shard, the previous shard's hidden rows otherwise),
   * the view they attend through and the scope that holds them. The caller closes the scope after
   * {@link #finish}.
   */
  public record Prepared(StepRequest request, StepPlan plan, Rows rows, KvView view, NDManager scope) {}

  public Prepared prepare(StepRequest r, float[] hiddenIn) {
    StepPlan plan = cache.plan(r);
    lastRows = plan.rows();
    NDManager step = session.newSubManager();
    try {
      NDArray x;
      int[] positions = plan.positions();
      if (shard.hasEmbedding()) {
        x = shard.embed(Arrays.stream(positions).map(p -> r.sequence()[p]).toArray(), step);
      } else {
        if (hiddenIn == null || hiddenIn.length != plan.rows() * config.hiddenSize()) {
          throw new IllegalArgumentException("shard " + shard.fromLayer() + ":" + shard.toLayer() + " expected "
              + plan.rows() + " hidden rows of " + config.hiddenSize() + ", got "
              + (hiddenIn == null ? "none" : hiddenIn.length + " floats"));
        }
        x = step.create(hiddenIn, new Shape(plan.rows(), config.hiddenSize()));
      }
      return new Prepared(r, plan, new Rows(x, positions), plan.view(), step);
    } catch (RuntimeException e) {
      step.close();
      throw e;
    }
  }

  /**
   * Whether this session's steps may share a batched forward with other sessions'. Elastic-Cache changes the
   * rows inside the network and classifier-free guidance runs a second, uncached pass; both run alone.
   */
  public boolean batchable() {
    return options.refresh() != Refresh.ELASTIC && options.cfgScale() == 0;
  }

  /** The shard's output for a prepared step whose rows went through this shard's layers. */
  public Output finish(Prepared p, Rows out) {
    return finish(p, out, null);
  }

  /**
   * The hidden rows the LM head reads for this step, {@code [asked, d]} in this step's scope (last shard only):
   * a batch computes every member's logits in one head pass and hands each its share to {@link #finish}.
   */
  public NDArray headInput(Prepared p, Rows out) {
    return selectHeadRows(out, asked(p), p.scope());
  }

  private int[] asked(Prepared p) {
    return p.plan().candidates() != null ? p.plan().candidates() : p.request().masked();
  }

  /**
   * @param headLogits this step's logits {@code [asked, vocab]} row-major when a batch computed them with the
   *     other members' (null: computed here)
   */
  public Output finish(Prepared p, Rows out, float[] headLogits) {
    StepRequest r = p.request();
    StepPlan plan = p.plan();
    NDManager step = p.scope();
    if (!shard.hasHead()) {
      if (out.positions().length != plan.rows()) {
        throw new IllegalStateException("a view changed the rows on a shard that is not the last one");
      }
      return new Output(out.x().toFloatArray(), plan.rows(), null);
    }
    int[] asked = asked(p);
    float[] logits = headLogits != null ? headLogits : headRows(out, asked, step);
    if (options.cfgScale() > 0) {
      float[] uncond = unconditional(r, step);
      for (int j = 0; j < logits.length; j++) {
        logits[j] = (float) (uncond[j] + (options.cfgScale() + 1) * (logits[j] - uncond[j]));
      }
    }
    List<Candidate> candidates = new ArrayList<>(asked.length);
    for (int i = 0; i < asked.length; i++) {
      // committing the mask token would leave the position masked forever; it is never a prediction
      logits[i * config.vocabSize() + config.maskTokenId()] = Float.NEGATIVE_INFINITY;
      candidates.add(chooser.choose(asked[i], logits, i * config.vocabSize(), config.vocabSize()));
    }
    return new Output(null, plan.rows(), candidates);
  }

  /** Logits {@code [masked, vocab]} row-major; a position is predicted from hidden row pos - shift (Dream: pos-1). */
  private float[] headRows(Rows hidden, int[] masked, NDManager step) {
    return shard.logits(selectHeadRows(hidden, masked, step)).toFloatArray();
  }

  private NDArray selectHeadRows(Rows hidden, int[] masked, NDManager step) {
    long[] rows = new long[masked.length];
    for (int i = 0; i < masked.length; i++) {
      rows[i] = hidden.rowOf(masked[i] - shift);
      if (rows[i] < 0) {
        throw new IllegalStateException("position " + masked[i] + " needs hidden row " + (masked[i] - shift)
            + " which this step did not feed");
      }
    }
    return hidden.x().get(step.create(rows).toType(DataType.INT64, false));
  }

  /** Classifier-free guidance: the same sequence, every prompt token replaced by the mask, no cache. */
  private float[] unconditional(StepRequest r, NDManager step) {
    if (!shard.hasEmbedding()) {
      throw new IllegalArgumentException("classifier-free guidance needs a single shard holding all layers");
    }
    int[] ids = r.sequence().clone();
    Arrays.fill(ids, 0, promptLength, config.maskTokenId());
    int[] positions = java.util.stream.IntStream.range(0, ids.length).toArray();
    NDArray hidden = shard.layers(shard.embed(ids, step), positions, KvView.NONE, null, step);
    return headRows(new Rows(hidden, positions), r.masked(), step);
  }

  public int lastRowsFed() {
    return lastRows;
  }

  public long kvBytes() {
    return cache.bytes();
  }

  public long layerStepsRecomputed() {
    return cache.layerStepsRecomputed();
  }

  public long layerSteps() {
    return cache.layerSteps();
  }

  @Override
  public void close() {
    cache.close();
    session.close();
  }
}
