package io.maskkv.bench.eval;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The results as CSV, one row per task × method × budget:
 * {@code task,method,budget,accuracy,retention,n,ms_per_step,prefill_ms,kv_bytes,metric}. Accuracy and
 * retention are fractions (not percentages). The {@code full} row leaves {@code budget} empty (it keeps the
 * whole prompt); an undefined retention (the full cache scored 0) is written {@code NaN}, which pandas and R
 * read as missing.
 */
public final class ResultCsv {
  public static final String HEADER =
      "task,method,budget,accuracy,retention,n,ms_per_step,prefill_ms,kv_bytes,metric";

  private ResultCsv() {}

  public static void write(Path file, List<EvalRow> rows) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      w.write(HEADER);
      w.write('\n');
      for (EvalRow r : rows) {
        w.write(line(r));
        w.write('\n');
      }
    }
  }

  /** Reads a file {@link #write} wrote (to re-plot or merge runs); the columns are found by header name. */
  public static List<EvalRow> read(Path file) throws IOException {
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    if (lines.isEmpty()) {
      throw new IllegalArgumentException(file + ": empty");
    }
    List<String> header = fields(lines.get(0));
    String[] need = HEADER.split(",");
    int[] col = new int[need.length];
    for (int i = 0; i < need.length; i++) {
      col[i] = header.indexOf(need[i]);
      if (col[i] < 0) {
        throw new IllegalArgumentException(file + ": no column '" + need[i] + "' in " + header);
      }
    }
    List<EvalRow> rows = new ArrayList<>();
    for (int ln = 1; ln < lines.size(); ln++) {
      if (lines.get(ln).isBlank()) {
        continue;
      }
      List<String> f = fields(lines.get(ln));
      try {
        String budget = f.get(col[2]);
        rows.add(new EvalRow(f.get(col[0]), f.get(col[1]), budget.isEmpty() ? 0 : Integer.parseInt(budget),
            Double.parseDouble(f.get(col[3])), Double.parseDouble(f.get(col[4])), Integer.parseInt(f.get(col[5])),
            Double.parseDouble(f.get(col[6])), Double.parseDouble(f.get(col[7])), Long.parseLong(f.get(col[8])),
            f.get(col[9])));
      } catch (RuntimeException e) {
        throw new IllegalArgumentException(file + " line " + (ln + 1) + ": " + e.getMessage(), e);
      }
    }
    return rows;
  }

  /** One CSV line's fields (RFC 4180 quotes; no line breaks inside fields). */
  static List<String> fields(String line) {
    List<String> out = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (quoted) {
        if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
          cur.append('"');
          i++;
        } else if (c == '"') {
          quoted = false;
        } else {
          cur.append(c);
        }
      } else if (c == '"') {
        quoted = true;
      } else if (c == ',') {
        out.add(cur.toString());
        cur.setLength(0);
      } else {
        cur.append(c);
      }
    }
    out.add(cur.toString());
    return out;
  }

  static String line(EvalRow r) {
    return String.join(",", field(r.task()), field(r.method()), r.isFull() ? "" : Integer.toString(r.budget()),
        number(r.accuracy(), 4), number(r.retention(), 4), Integer.toString(r.n()), number(r.msPerStep(), 3),
        number(r.prefillMs(), 3), Long.toString(r.kvBytes()), field(r.metric()));
  }

  private static String number(double v, int decimals) {
    return Double.isNaN(v) ? "NaN" : String.format(Locale.ROOT, "%." + decimals + "f", v);
  }

  /** RFC 4180 quoting for fields that need it. */
  static String field(String s) {
    if (s.indexOf(',') < 0 && s.indexOf('"') < 0 && s.indexOf('\n') < 0 && s.indexOf('\r') < 0) {
      return s;
    }
    return '"' + s.replace("\"", "\"\"") + '"';
  }
}
