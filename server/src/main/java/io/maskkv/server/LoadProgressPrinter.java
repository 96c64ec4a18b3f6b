package io.maskkv.server;

import io.maskkv.common.model.MemoryEstimate;
import io.maskkv.worker.engine.LoadProgress;

/** Prints a large model's load on stderr every tenth of its bytes; small models load silently. */
final class LoadProgressPrinter implements LoadProgress {
  /** Below this a load takes about a second: nothing worth watching. */
  static final long QUIET_BELOW_BYTES = 256L << 20;
  private int lastTenth = -1;

  @Override
  public void loaded(String tensor, long doneBytes, long totalBytes) {
    if (totalBytes < QUIET_BELOW_BYTES) {
      return;
    }
    int tenth = (int) (10 * doneBytes / totalBytes);
    if (tenth != lastTenth) {
      lastTenth = tenth;
      System.err.printf("loading weights: %3d%% (%s of %s)%n", 10 * tenth, MemoryEstimate.gb(doneBytes),
          MemoryEstimate.gb(totalBytes));
    }
  }
}
