package io.maskkv.worker.kv;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.maskkv.worker.engine.Attention;
import io.maskkv.worker.engine.AttentionKeys;

/**
 * One layer's cached K/V, allocated once per session: a compressed prompt ({@code slots} leading entries per
 * head as attention sees them) and {@code rows} positions whose K/V steps overwrite in place.
 *
 * <p>Two layouts, and what {@link #bytes()} reports is exactly what each holds:
 * <ul>
 *   <li>dense: one {@code [kvHeads, slots + rows, hd]} tensor each for K and V, when every head keeps the same
 *       number of prompt positions (or there is no prompt part); attention reads it directly, no copy.
 *   <li>ragged: heads keep different numbers of prompt positions. Each head's kept rows are stored back to back in
 *       one packed {@code [Σ_h len_h, hd]} tensor (head h at offset Σ_{g<h} len_g), so a head holds exactly what
 *       its plan gives it; the response rows are a separate {@code [kvHeads, rows, hd]} tensor. At attention
 *       time {@link #keys} builds the padded {@code [kvHeads, slots + rows, hd]} K/V and its additive mask in the
 *       caller's (per-layer) scope, so the padding lives only while that layer attends. DJL exposes no varlen
 *       attention kernel; padding transiently keeps attention one batched matmul per layer with the same shapes
 *       and values as before, so greedy tokens are unchanged.
 * </ul>
 */
final class KvBuffer {
  /** Dense: the whole layer {@code [kv, slots + rows, hd]}; ragged: the response rows only {@code [kv, rows, hd]}. */
  private final NDArray k;
  private final NDArray v;
  /** Prompt entries per head as attention sees them: the layer's longest head. */
  private final int slots;
  /** Where the response rows start in {@code k, v}: {@code slots} when dense, 0 when ragged. */
  private final int offset;
  /** Ragged only (else null): every head's kept prompt rows, back to back {@code [Σ_h len_h, hd]}. */
  private final NDArray packedK;
  private final NDArray packedV;
  /** Ragged only: the packed row behind each padded slot {@code [kv * slots]} (padding reads row 0). */
  private final long[] gather;
  /** Ragged only: the additive key mask {@code [kv * (slots + rows)]}, kept on the heap, built per layer step. */
  private final float[] mask;

  private KvBuffer(NDArray k, NDArray v, int slots, int offset, NDArray packedK, NDArray packedV, long[] gather,
      float[] mask) {
    this.k = k;
    this.v = v;
    this.slots = slots;
    this.offset = offset;
    this.packedK = packedK;
    this.packedV = packedV;
    this.gather = gather;
    this.mask = mask;
  }

  /** A dense buffer holding a copy of {@code k, v} (no leading slots). */
  static KvBuffer copyOf(NDArray k, NDArray v, NDManager owner) {
    NDArray kc = k.duplicate();
    NDArray vc = v.duplicate();
    kc.attach(owner);
    vc.attach(owner);
    return new KvBuffer(kc, vc, 0, 0, null, null, null, null);
  }

  /** A dense buffer: leading slots from {@code slotK, slotV [kv, slots, hd]} (copied), then {@code rows} zeroed rows. */
  static KvBuffer withRows(NDArray slotK, NDArray slotV, int rows, NDManager owner) {
    long kvHeads = slotK.getShape().get(0);
    int slots = (int) slotK.getShape().get(1);
    long hd = slotK.getShape().get(2);
    NDManager tmp = slotK.getManager();
    NDArray zeros = tmp.zeros(new Shape(kvHeads, rows, hd), slotK.getDataType());
    NDArray kc = NDArrays.concat(new NDList(slotK, zeros), 1);
    NDArray vc = NDArrays.concat(new NDList(slotV, zeros), 1);
    kc.attach(owner);
    vc.attach(owner);
    return new KvBuffer(kc, vc, slots, slots, null, null, null, null);
  }

  /**
   * A ragged buffer taking ownership of {@code packedK, packedV [Σ_h lengths[h], hd]} (head h's kept rows at
   * offset Σ_{g<h} lengths[g], each array its own storage), then {@code rows} zeroed response rows.
   */
  static KvBuffer ragged(NDArray packedK, NDArray packedV, int[] lengths, int rows, NDManager owner) {
    int kvHeads = lengths.length;
    long hd = packedK.getShape().get(1);
    int slots = 0;
    long sum = 0;
    for (int len : lengths) {
      slots = Math.max(slots, len);
      sum += len;
    }
    if (packedK.getShape().get(0) != sum || packedV.getShape().get(0) != sum) {
      throw new IllegalArgumentException("packed K/V hold " + packedK.getShape() + " rows, the heads " + sum);
    }
    long[] gather = new long[kvHeads * slots];
    float[] mask = new float[kvHeads * (slots + rows)];
    long start = 0;
    for (int h = 0; h < kvHeads; h++) {
      for (int j = 0; j < slots; j++) {
        boolean valid = j < lengths[h];
        gather[h * slots + j] = valid ? start + j : 0;
        mask[h * (slots + rows) + j] = valid ? 0f : Attention.MASKED;
      }
      start += lengths[h];
    }
    packedK.attach(owner);
    packedV.attach(owner);
    Shape response = new Shape(kvHeads, rows, hd);
    NDArray rk = owner.zeros(response, packedK.getDataType(), packedK.getDevice());
    NDArray rv = owner.zeros(response, packedV.getDataType(), packedV.getDevice());
    return new KvBuffer(rk, rv, slots, 0, packedK, packedV, gather, mask);
  }

  int slots() {
    return slots;
  }

  /** Overwrites response positions [from, from + n) with fresh {@code [kvHeads, n, hd]}. */
  void write(int from, NDArray freshK, NDArray freshV) {
    long n = freshK.getShape().get(1);
    String index = ":, " + (offset + from) + ":" + (offset + from + n) + ", :";
    k.set(new NDIndex(index), freshK);
    v.set(new NDIndex(index), freshV);
  }

  /** Overwrites the given response positions with fresh rows, in order. */
  void scatter(long[] rows, NDArray freshK, NDArray freshV, NDManager step) {
    long[] abs = new long[rows.length];
    for (int i = 0; i < rows.length; i++) {
      abs[i] = offset + rows[i];
    }
    NDArray index = step.create(abs).toType(DataType.INT64, false);
    k.set(new NDIndex(":, {}, :", index), freshK);
    v.set(new NDIndex(":, {}, :", index), freshV);
  }

  /**
   * The buffer as attention keys {@code [kv, slots + rows, hd]}, through arrays that die with {@code step}. A
   * ragged buffer pads its heads here, in {@code step}: pass the layer's scope, so the padding is freed with it.
   */
  AttentionKeys keys(NDManager step) {
    if (packedK == null) {
      NDArray kv = k.get(":");
      NDArray vv = v.get(":");
      kv.attach(step);
      vv.attach(step);
      return new AttentionKeys(kv, vv, null);
    }
    long kvHeads = k.getShape().get(0);
    long rows = k.getShape().get(1);
    long hd = k.getShape().get(2);
    NDArray index = step.create(gather);
    return new AttentionKeys(padded(packedK, k, index, step), padded(packedV, v, index, step),
        step.create(mask, new Shape(kvHeads, 1, slots + rows)));
  }

  /** Packed prompt rows gathered into {@code [kv, slots, hd]}, then the response rows; owned by {@code step}. */
  private NDArray padded(NDArray packed, NDArray response, NDArray index, NDManager step) {
    long kvHeads = response.getShape().get(0);
    long hd = response.getShape().get(2);
    NDArray slotRows = packed.get(index);
    slotRows.attach(step); // an op on a session-owned array belongs to the session's manager otherwise
    NDArray all = NDArrays.concat(new NDList(slotRows.reshape(kvHeads, slots, hd), response), 1);
    all.attach(step);
    return all;
  }

  /** Bytes of the compressed prompt this layer holds (each head's kept positions, K and V). */
  long promptBytes() {
    if (packedK != null) {
      return Slices.bytes(packedK) + Slices.bytes(packedV);
    }
    long perPosition = k.getShape().get(0) * k.getShape().get(2) * k.getDataType().getNumOfBytes();
    return 2L * slots * perPosition;
  }

  /** Bytes this layer holds: the tensors it owns, nothing more (a ragged layer's padding is never held). */
  long bytes() {
    return Slices.bytes(k) + Slices.bytes(v) + Slices.bytes(packedK) + Slices.bytes(packedV);
  }

  void close() {
    k.close();
    v.close();
    if (packedK != null) {
      packedK.close();
      packedV.close();
    }
  }
}
