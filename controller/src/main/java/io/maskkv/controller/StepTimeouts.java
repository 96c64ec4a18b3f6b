package io.maskkv.controller;

import java.time.Duration;

/**
 * How long one step may take on one shard before the shard counts as lost: a base plus a share per token the step
 * feeds, times the sessions sharing the worker, so a long prefill on a busy worker is not mistaken for a dead one
 * while a stalled decoding step is still caught fast.
 */
record StepTimeouts(Duration base, Duration perToken) {
  static StepTimeouts of(ControllerConfig c) {
    return new StepTimeouts(c.getStepTimeout(), c.getStepTimeoutPerToken());
  }

  long nanos(int tokens, int sessionsOnWorker) {
    return base.toNanos() + perToken.toNanos() * tokens * Math.max(1, sessionsOnWorker);
  }
}
