package io.maskkv.worker.kv;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import io.maskkv.common.decode.StepRequest;
import io.maskkv.worker.engine.Attention;
import io.maskkv.worker.engine.AttentionKeys;
import io.maskkv.worker.engine.KvView;
import io.maskkv.worker.engine.Queries;
import io.maskkv.worker.engine.Rows;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Elastic-Cache (arXiv 2510.14973) over the rows at or after {@code frozen}: each layer keeps its
 * input hidden states and post-RoPE K/V for those rows. A step feeds only the tracked, newly decoded and window
 * rows; in each layer the attention of the tracked (most-attended) tokens is compared with the previous step's,
 * and when its cosine across heads falls below γ every deeper layer recomputes all rows in the same forward.
 *
 * <p>With a prompt cache ({@code prompt} non-null, frozen = prompt length) this is Elastic-Cache on top of any
 * eviction method: the compressed prompt is frozen after the first step and rows before it are queries only.
 * Without one (frozen = 0) it is Elastic-Cache over the whole sequence, as in the paper.
 */
public final class ElasticCache implements StepCache {
  private final CompressedPromptCache prompt;
  private final int frozen;
  private final int length;
  private final int shift;
  private final int heads;
  private final int kvHeads;
  private final int fromLayer;
  private final int toLayer;
  private final int window;
  private final double gamma;
  private final NDManager owner;
  private final int maskId;
  private final NDArray[] xCache; // [rows, d] input of each layer, rows frozen..length-1
  private final KvBuffer[] own; // without a prompt cache: every position's K/V [kv, length, hd]
  private final List<Map<Integer, float[]>> previous = new ArrayList<>(); // per layer: tracked pos -> probs
  private final int[] tracking; // per layer: the most-attended decided position, -1 = none yet
  private int[] lastSequence;
  private boolean started;
  private long steps;
  private long recomputed;

  public ElasticCache(CompressedPromptCache prompt, int length, int shift, int heads, int kvHeads, int fromLayer,
      int toLayer, int window, double gamma, int maskId, NDManager owner) {
    this.maskId = maskId;
    this.prompt = prompt;
    this.frozen = prompt == null ? 0 : prompt.promptLength();
    this.length = length;
    this.shift = shift;
    this.heads = heads;
    this.kvHeads = kvHeads;
    this.fromLayer = fromLayer;
    this.toLayer = toLayer;
    this.window = window;
    this.gamma = gamma;
    this.owner = owner;
    this.xCache = new NDArray[toLayer];
    this.own = new KvBuffer[toLayer];
    this.tracking = new int[toLayer];
    Arrays.fill(tracking, -1);
    for (int l = 0; l < toLayer; l++) {
      previous.add(new HashMap<>());
    }
  }

  @Override
  public StepPlan plan(StepRequest r) {
    steps++;
    int[] masked = r.masked();
    int[] windowPositions = Arrays.copyOf(masked, Math.min(window, masked.length));
    boolean[] isMask = new boolean[length];
    for (int i = frozen; i < length; i++) {
      isMask[i] = r.sequence()[i] == maskId; // all still-masked positions, not only the block's
    }
    if (!started) {
      started = true;
      lastSequence = r.sequence().clone();
      recomputed += toLayer - fromLayer;
      return new StepPlan(0, new Step(fromLayer, windowPositions, isMask, true),
          java.util.stream.IntStream.range(0, length).toArray(), windowPositions);
    }
    TreeSet<Integer> q = new TreeSet<>();
    for (int t : tracking) {
      if (t >= 0 && !isMask[t]) {
        q.add(t);
      }
    }
    for (int i = frozen; i < length; i++) {
      if (lastSequence[i] != r.sequence()[i]) {
        q.add(i); // decoded in the previous step: its input changed from MASK to a token
      }
    }
    for (int w : windowPositions) {
      q.add(w);
      if (shift == 1) {
        q.add(w - 1); // Dream predicts w from row w-1
      }
    }
    lastSequence = r.sequence().clone();
    int[] positions = q.stream().mapToInt(Integer::intValue).toArray();
    int queryOnly = (int) q.stream().filter(p -> p < frozen).count();
    int start = gamma >= 1 ? fromLayer : toLayer; // γ ≥ 1: always refresh, from the first layer
    recomputed += toLayer - start;
    return new StepPlan(queryOnly, new Step(start, windowPositions, isMask, false), positions, windowPositions);
  }

  /** One step's view: reuse below the refresh layer, full recompute from it on. */
  private final class Step implements KvView {
    private int refreshFrom;
    private final int[] windowPositions;
    private final boolean[] isMask;
    private final boolean first;
    private int[] positions;

    Step(int refreshFrom, int[] windowPositions, boolean[] isMask, boolean first) {
      this.refreshFrom = refreshFrom;
      this.windowPositions = windowPositions;
      this.isMask = isMask;
      this.first = first;
    }

    private boolean full(int layer) {
      return first || layer >= refreshFrom;
    }

    @Override
    public Rows beforeLayer(int layer, Rows rows, NDManager step) {
      positions = rows.positions();
      int queryOnly = countBelow(positions, frozen);
      if (first || layer > refreshFrom) { // rows are already every row: keep this layer's input
        xCache[layer] = keep(Slices2d.rows(rows.x(), queryOnly, positions.length), xCache[layer]);
        return null;
      }
      if (xCache[layer] == null) {
        throw new IllegalStateException("elastic cache has no state for layer " + layer);
      }
      scatterRows(xCache[layer], rows, queryOnly, step);
      if (layer < refreshFrom) {
        return null;
      }
      // the refresh layer: continue with every row (fresh where fed, cached where not), queries-only kept
      NDArray all = xCache[layer].duplicate();
      all.attach(step);
      NDArray x = queryOnly == 0 ? all
          : NDArrays.concat(new NDList(Slices2d.rows(rows.x(), 0, queryOnly), all), 0);
      int[] p = new int[queryOnly + length - frozen];
      System.arraycopy(positions, 0, p, 0, queryOnly);
      for (int i = frozen; i < length; i++) {
        p[queryOnly + i - frozen] = i;
      }
      positions = p;
      return new Rows(x, p);
    }

    @Override
    public AttentionKeys keys(int layer, NDArray k, NDArray v, NDManager step) {
      int queryOnly = countBelow(positions, frozen);
      long fed = k.getShape().get(1);
      if (first) {
        if (prompt == null) {
          own[layer] = KvBuffer.copyOf(k, v, owner);
        }
        return new AttentionKeys(k, v, null); // the prompt cache fills its own buffer when it evicts
      }
      KvBuffer buffer = prompt == null ? own[layer] : prompt.buffer(layer);
      NDArray freshK = Slices.rows(k, queryOnly, fed);
      NDArray freshV = Slices.rows(v, queryOnly, fed);
      if (full(layer)) {
        buffer.write(0, freshK, freshV); // every row after the frozen ones
      } else {
        buffer.scatter(responseIndex(queryOnly), freshK, freshV, step);
      }
      return buffer.keys(step);
    }

    @Override
    public void afterAttention(int layer, Queries q, AttentionKeys keys, NDManager scope) {
      if (first && prompt != null) {
        prompt.evicting().afterAttention(layer, q, keys, scope);
      }
      track(layer, q, keys, scope);
    }

    /** Drift test on the tracked tokens, then choose the next most-attended decided token of this layer. */
    private void track(int layer, Queries q, AttentionKeys keys, NDManager scope) {
      Map<Integer, float[]> prev = previous.get(layer);
      List<Integer> rowsOfInterest = new ArrayList<>();
      int winStart = -1;
      int tracked = tracking[layer];
      int trackedRow = tracked >= 0 ? indexOf(positions, tracked) : -1;
      if (trackedRow >= 0) {
        rowsOfInterest.add(trackedRow);
      }
      winStart = rowsOfInterest.size();
      for (int w : windowPositions) {
        int row = indexOf(positions, w);
        if (row >= 0) {
          rowsOfInterest.add(row);
        }
      }
      if (rowsOfInterest.isEmpty()) {
        return;
      }
      long[] idx = rowsOfInterest.stream().mapToLong(Integer::longValue).toArray();
      NDArray sub = q.rows(idx, scope);
      NDArray probs = Attention.probabilities(sub, keys, kvHeads); // [H, rows, nk]
      int nk = (int) keys.keyCount();
      float[] p = probs.toFloatArray();
      int rows = idx.length;
      if (trackedRow >= 0) {
        float[] now = slice(p, rows, nk, 0);
        float[] old = prev.get(tracked);
        if (!first && layer < refreshFrom && old != null && old.length == now.length
            && crossHeadCosine(old, now, nk) < gamma) {
          refreshFrom = layer + 1; // Elastic: recompute from the next layer on, in this same forward
          recomputed += toLayer - refreshFrom;
        }
        prev.put(tracked, now);
      }
      // tracking: the decided position the window's mask queries attend to most (summed over heads and rows)
      double[] score = new double[length];
      int promptSlots = prompt == null || first ? 0 : prompt.buffer(layer).slots();
      int[][] kept = prompt == null || first ? null : prompt.keptPositions(layer);
      int group = heads / kvHeads;
      for (int h = 0; h < heads; h++) {
        for (int r = winStart; r < rows; r++) {
          int base = (h * rows + r) * nk;
          for (int j = 0; j < nk; j++) {
            int pos;
            if (j < promptSlots) {
              int[] hk = kept[h / group];
              if (j >= hk.length) {
                continue;
              }
              pos = hk[j];
            } else {
              pos = first ? j : frozen + (j - promptSlots);
            }
            score[pos] += p[base + j];
          }
        }
      }
      int best = -1;
      for (int pos = 0; pos < length; pos++) {
        if (!isMask[pos] && (best < 0 || score[pos] > score[best])) {
          best = pos;
        }
      }
      tracking[layer] = best;
      if (best >= 0 && best != tracked) {
        int row = indexOf(positions, best);
        if (row >= 0) {
          NDArray one = q.rows(row, row + 1, scope);
          prev.put(best, Attention.probabilities(one, keys, kvHeads).toFloatArray());
        } else {
          prev.remove(best);
        }
      }
      if (first && prompt != null) {
        prev.clear(); // the first step attended over the full prompt; later steps see the compressed one
      }
    }

    private long[] responseIndex(int queryOnly) {
      long[] idx = new long[positions.length - queryOnly];
      for (int i = 0; i < idx.length; i++) {
        idx[i] = positions[queryOnly + i] - frozen;
      }
      return idx;
    }

    private void scatterRows(NDArray cache, Rows rows, int queryOnly, NDManager step) {
      if (rows.positions().length == queryOnly) {
        return;
      }
      NDArray index = step.create(responseIndex(queryOnly)).toType(DataType.INT64, false);
      cache.set(new NDIndex("{}, :", index), Slices2d.rows(rows.x(), queryOnly, rows.positions().length));
    }
  }

  private NDArray keep(NDArray rows, NDArray old) {
    if (old != null) {
      old.close();
    }
    NDArray copy = rows.duplicate();
    copy.attach(owner);
    return copy;
  }

  /** Mean over keys of the cosine, across heads, between two attention maps {@code [H, nk]} (Elastic's sim). */
  static double crossHeadCosine(float[] a, float[] b, int nk) {
    int h = a.length / nk;
    double sum = 0;
    for (int j = 0; j < nk; j++) {
      double dot = 0;
      double na = 0;
      double nb = 0;
      for (int i = 0; i < h; i++) {
        double x = a[i * nk + j];
        double y = b[i * nk + j];
        dot += x * y;
        na += x * x;
        nb += y * y;
      }
      sum += na == 0 || nb == 0 ? 1.0 : dot / Math.sqrt(na * nb);
    }
    return sum / nk;
  }

  private static float[] slice(float[] p, int rows, int nk, int row) {
    int h = p.length / (rows * nk);
    float[] out = new float[h * nk];
    for (int i = 0; i < h; i++) {
      System.arraycopy(p, (i * rows + row) * nk, out, i * nk, nk);
    }
    return out;
  }

  private static int countBelow(int[] positions, int bound) {
    int n = 0;
    while (n < positions.length && positions[n] < bound) {
      n++;
    }
    return n;
  }

  private static int indexOf(int[] positions, int p) {
    int i = Arrays.binarySearch(positions, p);
    return i >= 0 ? i : -1;
  }

  @Override
  public long layerStepsRecomputed() {
    return recomputed;
  }

  @Override
  public long layerSteps() {
    return steps * (toLayer - fromLayer);
  }

  @Override
  public long bytes() {
    long b = prompt == null ? 0 : prompt.bytes();
    for (int l = fromLayer; l < toLayer; l++) {
      b += (own[l] == null ? 0 : own[l].bytes()) + Slices.bytes(xCache[l]);
    }
    return b;
  }

  @Override
  public void close() {
    for (int l = fromLayer; l < toLayer; l++) {
      if (own[l] != null) {
        own[l].close();
        own[l] = null;
      }
      if (xCache[l] != null) {
        xCache[l].close();
        xCache[l] = null;
      }
    }
    if (prompt != null) {
      prompt.close();
    }
  }
}
