package io.maskkv.controller.metrics;

import io.grpc.Status;
import io.maskkv.proto.v1.GenerateEvent;

/** What one session's events add to {@link ServingMetrics}; ends are counted once. */
public final class SessionMetrics {
  private final ServingMetrics metrics;
  private final long arrived = System.nanoTime();
  private boolean ended;
  /** The session's cache method, from its Started event: the per-method KV series are labelled with it. */
  private volatile String method = "";

  SessionMetrics(ServingMetrics metrics) {
    this.metrics = metrics;
  }

  public void event(GenerateEvent e) {
    if (e.hasStarted()) {
      method = e.getStarted().getOptions().getCache();
    }
    metrics.event(e, arrived, method);
  }

  public synchronized void end(Status s) {
    if (!ended) {
      ended = true;
      metrics.end(s);
    }
  }
}
