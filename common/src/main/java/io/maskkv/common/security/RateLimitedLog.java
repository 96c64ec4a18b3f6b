package io.maskkv.common.security;

import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;

/**
 * A warning that many requests can trigger (bad input, refused credentials): logged at most once per interval,
 * with the count of the ones left out, so a flood of bad calls cannot fill the disk.
 */
public final class RateLimitedLog {
  private final Logger log;
  private final long intervalNanos;
  private final AtomicLong next = new AtomicLong(Long.MIN_VALUE);
  private final AtomicLong suppressed = new AtomicLong();

  public RateLimitedLog(Logger log, long intervalMillis) {
    this.log = log;
    this.intervalNanos = intervalMillis * 1_000_000;
  }

  public void warn(String message) {
    long now = System.nanoTime();
    long at = next.get();
    if ((at == Long.MIN_VALUE || now - at >= 0) && next.compareAndSet(at, now + intervalNanos)) {
      long left = suppressed.getAndSet(0);
      log.warn(left == 0 ? message : message + " (" + left + " more like it since the last report)");
    } else {
      suppressed.incrementAndGet();
    }
  }
}
