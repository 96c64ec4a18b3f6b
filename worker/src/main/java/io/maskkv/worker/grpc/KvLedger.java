package io.maskkv.worker.grpc;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The worker's KV capacity accounting: each session reserves the bytes the controller admitted for it, and
 * counts as the larger of that reservation and what its caches really hold. Free = capacity minus that sum.
 * The caches own the memory; the ledger only decides whether a new session may open.
 */
public final class KvLedger {
  private record Entry(long reserved, long held) {
    long counted() {
      return Math.max(reserved, held);
    }
  }

  private final long capacity;
  private final Map<String, Entry> sessions = new LinkedHashMap<>();

  public KvLedger(long capacityBytes) {
    if (capacityBytes <= 0) {
      throw new IllegalArgumentException("KV capacity must be positive, got " + capacityBytes);
    }
    this.capacity = capacityBytes;
  }

  /** Reserves {@code bytes} for a session, or returns false (nothing changed) when they do not fit. */
  public synchronized boolean reserve(String session, long bytes) {
    if (bytes < 0) {
      throw new IllegalArgumentException("reservation must be >= 0, got " + bytes);
    }
    if (sessions.containsKey(session)) {
      throw new IllegalArgumentException("session " + session + " is already open on this worker");
    }
    if (bytes > free()) {
      return false;
    }
    sessions.put(session, new Entry(bytes, 0));
    return true;
  }

  /** Records what the session's caches hold now. */
  public synchronized void held(String session, long bytes) {
    Entry e = sessions.get(session);
    if (e != null) {
      sessions.put(session, new Entry(e.reserved(), bytes));
    }
  }

  /** Forgets the session; returns the bytes it held. */
  public synchronized long release(String session) {
    Entry e = sessions.remove(session);
    return e == null ? 0 : e.held();
  }

  public long capacity() {
    return capacity;
  }

  public synchronized long free() {
    long counted = 0;
    for (Entry e : sessions.values()) {
      counted += e.counted();
    }
    return Math.max(0, capacity - counted);
  }

  /** Bytes the sessions' caches hold now. */
  public synchronized long used() {
    long used = 0;
    for (Entry e : sessions.values()) {
      used += e.held();
    }
    return used;
  }

  public synchronized int sessions() {
    return sessions.size();
  }
}
