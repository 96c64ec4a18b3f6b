package io.maskkv.bench.eval;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One point of the equal-bytes sweep ({@code ./maskkv eval --kv-bytes}): a cap on the compressed prompt's KV bytes
 * (K and V of every kept position, all layers and KV heads), either absolute ({@code 24KiB}, {@code 1MiB},
 * {@code 100000}) or a share of the prompt's uncompressed KV bytes ({@code 2.5%}), so that every method holds (as
 * nearly as it can without going over) the same bytes.
 *
 * @param label as given
 * @param bytes the absolute cap; 0 when {@code share} is used
 * @param share the fraction of the full prompt KV bytes; 0 when {@code bytes} is used
 */
public record ByteTarget(String label, long bytes, double share) {
  public ByteTarget {
    if ((bytes > 0) == (share > 0) || bytes < 0 || share < 0 || share > 1) {
      throw new IllegalArgumentException("--kv-bytes: '" + label + "' is neither a positive size nor a share in "
          + "(0%, 100%]");
    }
  }

  /** The cap for a prompt whose uncompressed K/V (all layers) takes {@code promptFullBytes}. */
  public long bytesFor(long promptFullBytes) {
    return share > 0 ? (long) Math.floor(share * promptFullBytes) : bytes;
  }

  public static ByteTarget parse(String raw) {
    String s = raw.strip();
    String lower = s.toLowerCase(Locale.ROOT);
    try {
      if (lower.endsWith("%")) {
        return new ByteTarget(s, 0, Double.parseDouble(lower.substring(0, lower.length() - 1).strip()) / 100);
      }
      long unit = 1;
      String[][] units = {{"kib", "1024"}, {"mib", "1048576"}, {"gib", "1073741824"}, {"kb", "1000"},
          {"mb", "1000000"}, {"gb", "1000000000"}, {"b", "1"}};
      for (String[] u : units) {
        if (lower.endsWith(u[0])) {
          unit = Long.parseLong(u[1]);
          lower = lower.substring(0, lower.length() - u[0].length()).strip();
          break;
        }
      }
      return new ByteTarget(s, Math.round(Double.parseDouble(lower) * unit), 0);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--kv-bytes: '" + s + "' is not a size (24KiB, 100000) or a share (2.5%)");
    }
  }

  /** Comma-separated targets, in the order given, without duplicates. */
  public static List<ByteTarget> parseList(String csv) {
    List<ByteTarget> out = new ArrayList<>();
    if (csv == null || csv.isBlank()) {
      return out;
    }
    for (String part : csv.split(",")) {
      if (part.isBlank()) {
        throw new IllegalArgumentException("--kv-bytes: empty entry in '" + csv + "'");
      }
      ByteTarget t = parse(part);
      if (!out.contains(t)) {
        out.add(t);
      }
    }
    return out;
  }
}
