package io.maskkv.worker.engine;

/** Told after each tensor is on the device: a multi-GB load otherwise looks like a hang. */
@FunctionalInterface
public interface LoadProgress {
  LoadProgress NONE = (tensor, done, total) -> {};

  /**
   * @param doneBytes checkpoint bytes read so far
   * @param totalBytes checkpoint bytes this shard reads in all
   */
  void loaded(String tensor, long doneBytes, long totalBytes);
}
