package io.maskkv.worker.grpc;

import java.time.Duration;

/**
 * What one worker lets its callers hold.
 *
 * @param maxSessions open sessions at once; one more is refused with RESOURCE_EXHAUSTED
 * @param idleTimeout a session stream that sends nothing for this long (and is not mid-step) is ended with
 *     DEADLINE_EXCEEDED and its KV freed, so an abandoned stream cannot hold memory forever
 */
public record WorkerLimits(int maxSessions, Duration idleTimeout) {
  public static final WorkerLimits DEFAULT = new WorkerLimits(1024, Duration.ofMinutes(10));

  public WorkerLimits {
    if (maxSessions <= 0) {
      throw new IllegalArgumentException("max sessions must be positive, got " + maxSessions);
    }
    if (idleTimeout.isNegative() || idleTimeout.isZero()) {
      throw new IllegalArgumentException("the idle timeout must be positive, got " + idleTimeout);
    }
  }
}
