package io.maskkv.worker.engine;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import io.maskkv.common.model.ModelConfig;
import io.maskkv.worker.checkpoint.Checkpoint;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The LLaDA / Dream forward pass over a layer range, written once over a {@link KvView}: the layer loop, the
 * view's hooks and the memory scopes. The block's math is {@link TransformerBlock}'s; this decides what each
 * block attends over and whether a long prefill streams it by row chunks.
 */
public final class Transformer implements AutoCloseable {
  /**
   * A layer fed more rows than this streams them (a prefill): tests lower it to compare streamed with whole. At
   * this size the whole path's scores and activations already exceed a streamed layer's fixed cost.
   */
  static long streamRows = 1024;
  /** Rows per chunk of a streamed layer. */
  static long chunkRows = 1024;

  private final ModelConfig config;
  private final ModelWeights weights;
  private final TransformerBlock block;
  private final NDManager manager;
  private final Path dir;

  public Transformer(ModelConfig config, ModelWeights weights, NDManager manager, Path dir) {
    this.dir = dir;
    this.config = config;
    this.weights = weights;
    this.manager = manager;
    this.block = new TransformerBlock(config);
  }

  /** Loads layers [fromLayer, toLayer) of the model folder onto the device, weights widened to fp32. */
  public static Transformer load(Path dir, Device device, int fromLayer, int toLayer) {
    return load(dir, device, fromLayer, toLayer, DataType.FLOAT32, LoadProgress.NONE);
  }

  /**
   * Loads layers [fromLayer, toLayer) with the projection matrices, embedding and head held in {@code matrices}
   * (see {@link WeightPrecision#resolve}); the caller checks memory first ({@link LoadPlan}).
   */
  public static Transformer load(Path dir, Device device, int fromLayer, int toLayer, DataType matrices,
      LoadProgress progress) {
    Checkpoint ckpt = Checkpoint.open(dir);
    NDManager root = NDManager.newBaseManager(device);
    try {
      ModelWeights w = ModelWeights.load(ckpt, root, fromLayer, toLayer, matrices, progress);
      return new Transformer(ckpt.config(), w, root, dir);
    } catch (RuntimeException e) {
      root.close();
      throw e;
    }
  }

  public static Transformer load(Path dir, Device device) {
    return load(dir, device, 0, Checkpoint.open(dir).config().layers());
  }

  public ModelConfig config() {
    return config;
  }

  /** The model folder it was loaded from (its calibration profile lives there). */
  public Path dir() {
    return dir;
  }

  /** Rows per chunk of a streamed layer: the smallest slice a long prefill can be cut into. */
  public long prefillChunkRows() {
    return chunkRows;
  }

  /** Layers this shard runs. */
  public int layerCount() {
    return weights.toLayer() - weights.fromLayer();
  }

  public int fromLayer() {
    return weights.fromLayer();
  }

  public int toLayer() {
    return weights.toLayer();
  }

  public boolean hasEmbedding() {
    return weights.embedding() != null;
  }

  public boolean hasHead() {
    return weights.lmHead() != null;
  }

  /** The long-lived manager sessions make their own sub-managers from. */
  public NDManager manager() {
    return manager;
  }

  /** Token embeddings {@code [n, d]}. */
  public NDArray embed(int[] ids, NDManager step) {
    for (int id : ids) {
      if (id < 0 || id >= config.vocabSize()) {
        throw new IllegalArgumentException("token id " + id + " is outside the vocabulary of " + config.vocabSize());
      }
    }
    NDArray index = step.create(ids).toType(DataType.INT64, false);
    NDArray rows = weights.embedding().get(index);
    rows.attach(step); // the result of an op on a weight belongs to the weight's manager otherwise
    if (rows.getDataType() != DataType.FLOAT32) {
      rows = rows.toType(DataType.FLOAT32, false); // bf16/fp16 embedding rows widen exactly
    }
    return rows;
  }

  /** Runs this shard's layers over the fed rows {@code x [n, d]} at the given absolute positions. */
  public NDArray layers(NDArray x, int[] positions, KvView kv, LayerProbe probe, NDManager step) {
    return run(new Rows(x, positions), kv, probe, step).x();
  }

  /**
   * Runs this shard's layers; the view may change the rows between layers, so the final rows are returned. A long
   * prefill overwrites the fed rows in place (see {@link #streamed}), so the caller must not read {@code in.x()}
   * afterwards.
   */
  public Rows run(Rows in, KvView kv, LayerProbe probe, NDManager step) {
    LayerCursor c = cursor(in, kv, probe, step);
    c.advanceRows(Long.MAX_VALUE);
    return c.rows();
  }

  /**
   * A forward that runs a few layers at a time: a long prefill advances layer by layer across scheduler
   * iterations, so the sessions decoding meanwhile wait for one slice, not for the whole prefill. A dLLM's
   * attention is bidirectional, so a prompt cannot be cut into row chunks that each pass every layer (as a causal
   * model's chunked prefill does); a slice is a row chunk within one layer instead (its K/V pass, then, after the
   * layer's eviction, its attention and MLP pass).
   */
  public LayerCursor cursor(Rows in, KvView kv, LayerProbe probe, NDManager step) {
    return new LayerCursor(in, kv, probe, step);
  }

  /** Where a forward stands: the rows after the layers run so far. */
  public final class LayerCursor {
    private final KvView kv;
    private final LayerProbe probe;
    private final NDManager step;
    private NDArray x;
    private int[] positions;
    private NDArray[] cosSin;
    private int next = weights.fromLayer();
    private StreamedLayer open;
    private NDManager openScope;

    private LayerCursor(Rows in, KvView kv, LayerProbe probe, NDManager step) {
      this.kv = kv;
      this.probe = probe;
      this.step = step;
      this.x = in.x();
      this.positions = in.positions();
      // a streamed layer builds each chunk's rotary tables itself: whole tables are 2 x headDim floats per row
      this.cosSin = streams(positions.length, probe) ? null : block.ropeTables(positions, step);
    }

    /**
     * Runs about {@code rows} rows of work (at least one unit): whole layers of a short forward; row chunks of a
     * streamed long layer, which can stop between chunks and resume at the next call.
     */
    public void advanceRows(long rows) {
      long ran = 0;
      while (!done() && (ran == 0 || ran < rows)) {
        if (open == null) {
          Rows swapped = kv.beforeLayer(next, new Rows(x, positions), step);
          if (swapped != null) {
            x = swapped.x();
            if (!Arrays.equals(swapped.positions(), positions)) {
              positions = swapped.positions();
              cosSin = streams(positions.length, probe) ? null : block.ropeTables(positions, step);
            }
          }
          if (!streams(positions.length, probe)) {
            x = layer(next, x, cosSin, kv, probe, step);
            ran += positions.length;
            next++;
            continue;
          }
          openScope = step.newSubManager();
          x.tempAttach(openScope);
          open = new StreamedLayer(block, config, next, weights.layer(next), x, positions, kv, openScope,
              chunkRows);
        }
        ran += open.advance(rows - ran);
        if (open.done()) {
          NDArray out = open.x();
          out.attach(step);
          openScope.close();
          x = out;
          open = null;
          openScope = null;
          next++;
        }
      }
    }

    /** Frees a streamed layer left half-run (a cancelled or failed step). */
    public void abandon() {
      if (openScope != null) {
        openScope.close();
        openScope = null;
        open = null;
      }
    }

    public boolean done() {
      return next >= weights.toLayer();
    }

    public Rows rows() {
      return new Rows(x, positions);
    }
  }

  /**
   * One short layer (a long one streams through {@link StreamedLayer}). Everything it allocates lives in a
   * per-layer scope closed before the next layer runs, so a layer's full K/V (and its attention scores) are freed
   * as soon as the view has taken what it keeps.
   */
  private NDArray layer(int l, NDArray x, NDArray[] cosSin, KvView kv, LayerProbe probe, NDManager step) {
    try (NDManager scope = step.newSubManager()) {
      x.tempAttach(scope);
      NDArray out = whole(l, x, cosSin, kv, probe, scope);
      out.attach(step);
      return out;
    }
  }

  /** A layer over all its rows at once: the view swaps in what it keeps of the keys and values before attending. */
  private NDArray whole(int l, NDArray x, NDArray[] cosSin, KvView kv, LayerProbe probe, NDManager scope) {
    LayerWeights w = weights.layer(l);
    NDArray h = block.attentionNorm(x, w);
    NDArray q = block.queries(h, w, cosSin);
    Queries queries = Queries.of(q);
    AttentionKeys keys = kv.keys(l, queries, block.keys(h, w, cosSin), block.values(h, w), scope);
    NDArray afterAttn = block.attentionResidual(x, Attention.attend(q, keys, config.kvHeads()), w);
    kv.afterAttention(l, queries, keys, scope);
    if (probe != null) {
      probe.onAttention(l, x, afterAttn);
    }
    return block.feedForwardResidual(afterAttn, w);
  }

  /** One session's rows in a batched forward, the view they attend through, and the manager their output joins. */
  public record BatchMember(Rows rows, KvView view, NDManager owner) {}

  /** Whether a member can share a batched forward: not a streamed long prefill (that one runs alone). */
  public boolean batchable(Rows rows) {
    return !streams(rows.positions().length, null);
  }

  /**
   * Runs this shard's layers over several sessions' rows at once (continuous batching): the linear parts (norms,
   * q/k/v and output projections, the MLP) run once over every member's rows stacked, attention runs per member
   * against that member's own view. Views must not swap rows between layers ({@link KvView#beforeLayer}); a
   * member's result never depends on who it was batched with beyond float rounding of the shared matmuls. Each
   * output is attached to its member's owner.
   */
  public List<Rows> runBatch(List<BatchMember> members) {
    int[] offsets = new int[members.size() + 1];
    for (int i = 0; i < members.size(); i++) {
      offsets[i + 1] = offsets[i] + members.get(i).rows().positions().length;
    }
    int[] positions = new int[offsets[members.size()]];
    NDList xs = new NDList();
    for (int i = 0; i < members.size(); i++) {
      Rows r = members.get(i).rows();
      System.arraycopy(r.positions(), 0, positions, offsets[i], r.positions().length);
      xs.add(r.x());
    }
    try (NDManager batch = manager.newSubManager()) {
      NDArray x = members.size() == 1 ? members.get(0).rows().x() : NDArrays.concat(xs, 0);
      x.tempAttach(batch);
      NDArray[] cosSin = block.ropeTables(positions, batch);
      for (int l = weights.fromLayer(); l < weights.toLayer(); l++) {
        try (NDManager scope = batch.newSubManager()) {
          NDArray out = batchedLayer(l, x, cosSin, members, offsets, scope);
          out.attach(batch);
          x = out;
        }
      }
      List<Rows> outs = new ArrayList<>(members.size());
      NDList parts = members.size() == 1 ? new NDList(x)
          : x.split(Arrays.stream(offsets, 1, members.size()).asLongStream().toArray(), 0);
      for (int i = 0; i < members.size(); i++) {
        NDArray rows = parts.get(i);
        rows.attach(members.get(i).owner());
        outs.add(new Rows(rows, members.get(i).rows().positions()));
      }
      return outs;
    }
  }

  private NDArray batchedLayer(int l, NDArray x, NDArray[] cosSin, List<BatchMember> members, int[] offsets,
      NDManager scope) {
    LayerWeights w = weights.layer(l);
    NDArray h = block.attentionNorm(x, w);
    NDArray q = block.queries(h, w, cosSin);
    NDArray k = block.keys(h, w, cosSin);
    NDArray v = block.values(h, w);
    // each member's rows as a contiguous copy: split views were slower, every later op on a strided view copies
    List<NDArray> qs = new ArrayList<>(members.size());
    List<Queries> queries = new ArrayList<>(members.size());
    List<AttentionKeys> keys = new ArrayList<>(members.size());
    for (int i = 0; i < members.size(); i++) {
      boolean whole = members.size() == 1;
      NDIndex rows = new NDIndex(":, {}:{}, :", offsets[i], offsets[i + 1]);
      qs.add(whole ? q : q.get(rows));
      queries.add(Queries.of(qs.get(i)));
      keys.add(members.get(i).view().keys(l, queries.get(i), whole ? k : k.get(rows), whole ? v : v.get(rows),
          scope));
    }
    NDList attended = new NDList();
    for (int i = 0; i < qs.size(); i++) {
      attended.add(Attention.attend(qs.get(i), keys.get(i), config.kvHeads()));
    }
    NDArray att = attended.size() == 1 ? attended.get(0) : NDArrays.concat(attended, 0);
    for (int i = 0; i < members.size(); i++) { // eviction reads the layer's keys: after they were attended over
      members.get(i).view().afterAttention(l, queries.get(i), keys.get(i), scope);
    }
    return block.feedForwardResidual(block.attentionResidual(x, att, w), w);
  }

  private boolean streams(long rows, LayerProbe probe) {
    return probe == null && rows > streamRows;
  }

  /** Logits {@code [rows, vocab]} for the given rows of the final hidden states only. */
  public NDArray logits(NDArray hidden) {
    return TransformerBlock.linear(block.rmsNorm(hidden, weights.finalNorm()), weights.lmHead());
  }

  @Override
  public void close() {
    manager.close();
  }
}
