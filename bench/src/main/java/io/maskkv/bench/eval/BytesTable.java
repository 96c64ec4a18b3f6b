package io.maskkv.bench.eval;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The equal-bytes sweep's outputs: a plain-text table per task (rows = method, columns = byte cap, each cell the
 * accuracy, the mean token budget the cap allowed and the mean compressed-prompt KV held) and a CSV
 * ({@link BytesRow#HEADER}).
 */
public final class BytesTable {
  private BytesTable() {}

  public static String format(List<BytesRow> rows) {
    Map<String, List<BytesRow>> byTask = new LinkedHashMap<>();
    for (BytesRow r : rows) {
      byTask.computeIfAbsent(r.task(), k -> new ArrayList<>()).add(r);
    }
    StringBuilder out = new StringBuilder();
    for (Map.Entry<String, List<BytesRow>> e : byTask.entrySet()) {
      Set<String> targets = new LinkedHashSet<>();
      Set<String> methods = new LinkedHashSet<>();
      BytesRow full = null;
      for (BytesRow r : e.getValue()) {
        if (r.isFull()) {
          full = r;
        } else {
          targets.add(r.target());
          methods.add(r.method());
        }
      }
      out.append(String.format(Locale.ROOT, "%ntask %s, %d records, equal bytes: accuracy %% [mean budget, mean "
          + "prompt KV held]%n", e.getKey(), e.getValue().get(0).n()));
      if (full != null) {
        out.append(String.format(Locale.ROOT, "  full: %.1f%% [%s]%n", 100 * full.accuracy(),
            human(full.promptKvBytes())));
      }
      for (String t : targets) {
        BytesRow any = e.getValue().stream().filter(r -> r.target().equals(t)).findFirst().orElseThrow();
        out.append(String.format(Locale.ROOT, "  cap %s (mean %s):%n", t, human(any.targetBytes())));
        for (String m : methods) {
          for (BytesRow r : e.getValue()) {
            if (r.method().equals(m) && r.target().equals(t)) {
              out.append(String.format(Locale.ROOT, "    %-18s %5.1f%%  [B %.2f, %s]%s%n", m, 100 * r.accuracy(),
                  r.budget(), human(r.promptKvBytes()), r.over() > 0 ? "  (" + r.over() + " over the cap)" : ""));
            }
          }
        }
      }
    }
    return out.toString();
  }

  public static void write(Path file, List<BytesRow> rows) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      w.write(BytesRow.HEADER);
      w.write('\n');
      for (BytesRow r : rows) {
        w.write(r.csv());
        w.write('\n');
      }
    }
  }

  /** Where the equal-bytes CSV goes: next to the budget sweep's, NAME-bytes.csv. */
  public static Path fileFor(Path out) {
    String name = out.getFileName().toString();
    String stem = name.endsWith(".csv") ? name.substring(0, name.length() - 4) : name;
    return out.resolveSibling(stem + "-bytes.csv");
  }

  static String human(double bytes) {
    return bytes >= 1 << 20 ? String.format(Locale.ROOT, "%.2f MiB", bytes / (1 << 20))
        : String.format(Locale.ROOT, "%.1f KiB", bytes / 1024);
  }
}
