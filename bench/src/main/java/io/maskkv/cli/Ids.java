package io.maskkv.cli;

import java.util.Arrays;

/** Parses {@code --ids 5,17,126336}. */
final class Ids {
  private Ids() {}

  static int[] parse(String csv) {
    try {
      return Arrays.stream(csv.split(",")).map(String::trim).filter(s -> !s.isEmpty())
          .mapToInt(Integer::parseInt).toArray();
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--ids must be comma-separated integers: " + e.getMessage());
    }
  }
}
