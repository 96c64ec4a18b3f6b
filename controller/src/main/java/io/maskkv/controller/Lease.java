package io.maskkv.controller;

import java.util.List;

/** An admitted session's place: its worker group and the KV bytes reserved on each shard. Release once. */
public final class Lease implements AutoCloseable {
  private final WorkerGroup group;
  private final long[] reserved;
  private final Runnable onRelease;
  private boolean released;

  Lease(WorkerGroup group, long[] reserved, Runnable onRelease) {
    this.group = group;
    this.reserved = reserved;
    this.onRelease = onRelease;
  }

  public WorkerGroup group() {
    return group;
  }

  public List<WorkerNode> shards() {
    return group.shards();
  }

  public long reserved(int shard) {
    return reserved[shard];
  }

  public long totalReserved() {
    long t = 0;
    for (long r : reserved) {
      t += r;
    }
    return t;
  }

  @Override
  public synchronized void close() {
    if (!released) {
      released = true;
      for (int i = 0; i < reserved.length; i++) {
        group.shards().get(i).release(reserved[i]);
      }
      onRelease.run();
    }
  }
}
