package io.maskkv.bench.cli;

import io.maskkv.bench.eval.EvalProgress;
import java.io.PrintStream;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * A progress bar on stderr: {@code label [#####.....] done/total rate/s ETA 1m02s  what}. On a terminal it
 * redraws one line with {@code \r} (at most ten times a second); elsewhere (a log file, a pipe) it prints a
 * plain line at most once a minute. Either way it ends with a summary line.
 */
public final class ProgressBar implements EvalProgress {
  private static final int WIDTH = 24;
  private static final long REDRAW_NANOS = 100_000_000L;
  private static final long LOG_NANOS = 60_000_000_000L;

  private final String label;
  private final PrintStream out;
  private final boolean interactive;
  private final LongSupplier clock;
  private long total;
  private long done;
  private long startNanos;
  private long lastDraw;
  private int lastWidth;

  public ProgressBar(String label, PrintStream out, boolean interactive, LongSupplier clock) {
    this.label = label;
    this.out = out;
    this.interactive = interactive;
    this.clock = clock;
  }

  /** On stderr, interactive when the JVM has a console. */
  public static ProgressBar stderr(String label) {
    return new ProgressBar(label, System.err, System.console() != null, System::nanoTime);
  }

  @Override
  public void start(long total) {
    this.total = total;
    this.done = 0;
    this.startNanos = clock.getAsLong();
    this.lastDraw = startNanos;
    if (interactive) {
      draw("");
    }
  }

  @Override
  public void advance(String what) {
    done++;
    long now = clock.getAsLong();
    if (interactive && (now - lastDraw >= REDRAW_NANOS || done == total)) {
      lastDraw = now;
      draw(what);
    } else if (!interactive && now - lastDraw >= LOG_NANOS) {
      lastDraw = now;
      out.println(line(what));
      out.flush();
    }
  }

  /** A line of its own (a measurement worth keeping in the log); on a terminal the bar is redrawn under it. */
  public void note(String text) {
    if (interactive) {
      out.print("\r" + text + " ".repeat(Math.max(0, lastWidth - text.length())) + "\n");
      lastWidth = 0;
      draw("");
    } else {
      out.println(text);
    }
    out.flush();
  }

  @Override
  public void finish() {
    double secs = (clock.getAsLong() - startNanos) / 1e9;
    String summary = String.format(Locale.ROOT, "%s: %d/%d done in %s (%s/s)", label, done, total,
        duration(secs), rate(done, secs));
    if (interactive) {
      out.print("\r" + summary + " ".repeat(Math.max(0, lastWidth - summary.length())) + "\n");
    } else {
      out.println(summary);
    }
    out.flush();
  }

  /** The bar's text (without the carriage return). */
  String line(String what) {
    double secs = (clock.getAsLong() - startNanos) / 1e9;
    int filled = total == 0 ? WIDTH : (int) (WIDTH * done / total);
    String bar = "#".repeat(filled) + ".".repeat(WIDTH - filled);
    String eta = done == 0 || secs <= 0 ? "?" : duration(secs / done * (total - done));
    return String.format(Locale.ROOT, "%s [%s] %d/%d %s/s ETA %s%s", label, bar, done, total, rate(done, secs),
        eta, what.isEmpty() ? "" : "  " + what);
  }

  private void draw(String what) {
    String s = line(what);
    out.print("\r" + s + " ".repeat(Math.max(0, lastWidth - s.length())));
    out.flush();
    lastWidth = s.length();
  }

  private static String rate(long n, double secs) {
    if (secs <= 0) {
      return "?";
    }
    double r = n / secs;
    return r >= 10 ? String.format(Locale.ROOT, "%.0f", r) : String.format(Locale.ROOT, "%.2f", r);
  }

  static String duration(double secs) {
    long s = Math.round(secs);
    if (s < 60) {
      return s + "s";
    }
    if (s < 3600) {
      return String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
    }
    return String.format(Locale.ROOT, "%dh%02dm", s / 3600, (s % 3600) / 60);
  }
}
