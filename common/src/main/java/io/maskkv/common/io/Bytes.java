package io.maskkv.common.io;

/** Human-readable byte counts. */
public final class Bytes {
  private Bytes() {}

  public static String human(long b) {
    if (b < 1024) {
      return b + " B";
    }
    double v = b;
    String[] units = {"KiB", "MiB", "GiB", "TiB"};
    int u = -1;
    while (v >= 1024 && u < units.length - 1) {
      v /= 1024;
      u++;
    }
    return String.format("%.1f %s", v, units[u]);
  }
}
