package io.maskkv.controller;

import io.grpc.ManagedChannel;
import io.maskkv.proto.v1.WorkerInfo;
import io.maskkv.proto.v1.WorkerServiceGrpc;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * One worker as the controller sees it: how to reach it, what it last reported, whether it is in routing,
 * and the KV the controller has reserved on it for running sessions.
 */
public final class WorkerNode {
  /** How the controller found the worker. */
  public enum Source { STATIC, DNS, REGISTERED, EMBEDDED }

  private final String id;
  private final String address;
  private final Source source;
  private final ManagedChannel channel;
  private final Set<Consumer<String>> lossListeners = ConcurrentHashMap.newKeySet();
  private volatile WorkerInfo info;
  private volatile long lastSeenNanos;
  private volatile boolean healthy;
  private long reserved;
  private long reservedAtReport;
  private int leases;
  private HopLink hop;

  public WorkerNode(String id, String address, Source source, ManagedChannel channel) {
    this.id = id;
    this.address = address;
    this.source = source;
    this.channel = channel;
  }

  public String id() {
    return id;
  }

  public String address() {
    return address;
  }

  public Source source() {
    return source;
  }

  public ManagedChannel channel() {
    return channel;
  }

  public WorkerServiceGrpc.WorkerServiceStub stub() {
    return WorkerServiceGrpc.newStub(channel);
  }

  /** The one Hop stream every session's steps take to this worker (opened at the first step). */
  synchronized HopLink hop() {
    if (hop == null) {
      hop = new HopLink(this);
    }
    return hop;
  }

  /** Ends the Hop stream (a long-lived call that would keep the channel open) and shuts the channel down. */
  void shutdown() {
    HopLink h;
    synchronized (this) {
      h = hop;
    }
    if (h != null) {
      h.close();
    }
    channel.shutdown();
  }

  /** The last Info (or registration); null before the worker first answered. */
  public WorkerInfo info() {
    return info;
  }

  public boolean healthy() {
    return healthy && info != null && info.getServing();
  }

  public long lastSeenNanos() {
    return lastSeenNanos;
  }

  void seen(WorkerInfo i) {
    synchronized (this) {
      reservedAtReport = reserved;
    }
    info = i;
    lastSeenNanos = System.nanoTime();
    healthy = true;
  }

  /** Leaves routing; sessions on it are told at once. */
  void lost(String why) {
    boolean was = healthy;
    healthy = false;
    if (was) {
      for (Consumer<String> l : lossListeners) {
        l.accept(why);
      }
    }
  }

  /** Called with a reason when the worker leaves routing while a session uses it. */
  public void onLoss(Consumer<String> listener) {
    lossListeners.add(listener);
  }

  public void removeLossListener(Consumer<String> listener) {
    lossListeners.remove(listener);
  }

  public String model() {
    return info == null ? "" : info.getModel();
  }

  public int fromLayer() {
    return info.getFromLayer();
  }

  public int toLayer() {
    return info.getToLayer();
  }

  /** KV capacity the controller admits against: the worker's, capped by the configured per-worker budget. */
  public long capacity(long configuredCap) {
    long c = info == null ? 0 : info.getCapacityBytes();
    return configuredCap > 0 ? Math.min(c, configuredCap) : c;
  }

  synchronized long reserved() {
    return reserved;
  }

  /** What this controller had reserved here when the worker's last report arrived. */
  synchronized long reservedAtReport() {
    return reservedAtReport;
  }

  synchronized int leases() {
    return leases;
  }

  synchronized void reserve(long bytes) {
    reserved += bytes;
    leases++;
  }

  synchronized void release(long bytes) {
    reserved -= bytes;
    leases--;
  }
}
