package io.maskkv.server;

import java.util.Arrays;

/** Parses {@code --ids 5,17,126336}. */
public final class Ids {
  private Ids() {}

  public static int[] parse(String csv) {
    try {
      return Arrays.stream(csv.split(",")).map(String::trim).filter(s -> !s.isEmpty())
          .mapToInt(Integer::parseInt).toArray();
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--ids must be comma-separated integers: " + e.getMessage());
    }
  }
}
