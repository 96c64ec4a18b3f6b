package io.maskkv.server;

import java.util.Locale;

/** Parses byte counts such as {@code 1048576}, {@code 512MB}, {@code 2GB} or {@code 2GiB} (powers of 1024). */
final class ByteSizes {
  private ByteSizes() {}

  static long parse(String s) {
    String t = s.trim().toUpperCase(Locale.ROOT).replace("IB", "B");
    long unit = 1;
    for (String[] u : new String[][] {{"TB", "1099511627776"}, {"GB", "1073741824"}, {"MB", "1048576"},
        {"KB", "1024"}, {"B", "1"}}) {
      if (t.endsWith(u[0])) {
        unit = Long.parseLong(u[1]);
        t = t.substring(0, t.length() - u[0].length()).trim();
        break;
      }
    }
    try {
      long v = Math.round(Double.parseDouble(t) * unit);
      if (v <= 0) {
        throw new NumberFormatException();
      }
      return v;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("not a positive byte size: '" + s + "' (e.g. 512MB, 2GB)");
    }
  }
}
