package io.maskkv.worker.kv;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.maskkv.worker.engine.AttentionKeys;

/**
 * One layer's cached K/V {@code [kvHeads, slots + rows, hd]}, allocated once per session: {@code slots} leading
 * entries (a compressed prompt, per-head padded) and {@code rows} positions whose K/V steps overwrite in place.
 * Attention reads the buffer directly, so no step copies the cached prompt.
 *
 * <p>Heads keep different numbers of prompt positions; we pad them to the layer's longest head and mask the
 * padding with an additive key mask, so attention stays one batched matmul per layer. We chose padding over a
 * packed (varlen) layout because DJL exposes no varlen attention kernel; the waste is bounded by the budget
 * spread, and the mask is built once, at eviction.
 */
final class KvBuffer {
  private final NDArray k;
  private final NDArray v;
  private final int slots;
  private final NDArray mask;

  private KvBuffer(NDArray k, NDArray v, int slots, NDArray mask) {
    this.k = k;
    this.v = v;
    this.slots = slots;
    this.mask = mask;
  }

  /** A buffer holding a copy of {@code k, v} (no leading slots). */
  static KvBuffer copyOf(NDArray k, NDArray v, NDManager owner) {
    NDArray kc = k.duplicate();
    NDArray vc = v.duplicate();
    kc.attach(owner);
    vc.attach(owner);
    return new KvBuffer(kc, vc, 0, null);
  }

  /**
   * Leading slots from {@code slotK, slotV} (copied), then {@code rows} zeroed positions to be written.
   *
   * @param slotMask additive mask of the slots {@code [kvHeads * slots]}, or null when no slot is padding
   */
  static KvBuffer withRows(NDArray slotK, NDArray slotV, float[] slotMask, int rows, NDManager owner) {
    long kvHeads = slotK.getShape().get(0);
    int slots = (int) slotK.getShape().get(1);
    long hd = slotK.getShape().get(2);
    NDManager tmp = slotK.getManager();
    NDArray zeros = tmp.zeros(new Shape(kvHeads, rows, hd));
    NDArray kc = NDArrays.concat(new NDList(slotK, zeros), 1);
    NDArray vc = NDArrays.concat(new NDList(slotV, zeros), 1);
    kc.attach(owner);
    vc.attach(owner);
    NDArray m = null;
    if (slotMask != null) {
      float[] full = new float[(int) kvHeads * (slots + rows)];
      for (int h = 0; h < kvHeads; h++) {
        System.arraycopy(slotMask, h * slots, full, h * (slots + rows), slots);
      }
      m = owner.create(full, new Shape(kvHeads, 1, slots + rows));
    }
    return new KvBuffer(kc, vc, slots, m);
  }

  int slots() {
    return slots;
  }

  /** Overwrites positions [from, from + n) after the slots with fresh {@code [kvHeads, n, hd]}. */
  void write(int from, NDArray freshK, NDArray freshV) {
    long n = freshK.getShape().get(1);
    String index = ":, " + (slots + from) + ":" + (slots + from + n) + ", :";
    k.set(new NDIndex(index), freshK);
    v.set(new NDIndex(index), freshV);
  }

  /** Overwrites the given positions (relative to the end of the slots) with fresh rows, in order. */
  void scatter(long[] rows, NDArray freshK, NDArray freshV, NDManager step) {
    long[] abs = new long[rows.length];
    for (int i = 0; i < rows.length; i++) {
      abs[i] = slots + rows[i];
    }
    NDArray index = step.create(abs).toType(DataType.INT64, false);
    k.set(new NDIndex(":, {}, :", index), freshK);
    v.set(new NDIndex(":, {}, :", index), freshV);
  }

  /** The whole buffer as attention keys, through handles that die with the step. */
  AttentionKeys keys(NDManager step) {
    NDArray kv = k.get(":");
    NDArray vv = v.get(":");
    kv.attach(step);
    vv.attach(step);
    return new AttentionKeys(kv, vv, mask);
  }

  long bytes() {
    return Slices.bytes(k) + Slices.bytes(v) + Slices.bytes(mask);
  }

  void close() {
    k.close();
    v.close();
    if (mask != null) {
      mask.close();
    }
  }
}
