package io.maskkv.bench.eval;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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

  static String line(EvalRow r) {
    return String.join(",", field(r.task()), field(r.method()), r.isFull() ? "" : Integer.toString(r.budget()),
        number(r.accuracy(), 4), number(r.retention(), 4), Integer.toString(r.n()), number(r.msPerStep(), 3),
        number(r.prefillMs(), 3), Long.toString(r.kvBytes()), field(r.metric()));
  }

  private static String number(double v, int decimals) {
    return Double.isNaN(v) ? "NaN" : String.format(Locale.ROOT, "%." + decimals + "f", v);
  }

  /** RFC 4180 quoting for fields that need it. */
  private static String field(String s) {
    if (s.indexOf(',') < 0 && s.indexOf('"') < 0 && s.indexOf('\n') < 0 && s.indexOf('\r') < 0) {
      return s;
    }
    return '"' + s.replace("\"", "\"\"") + '"';
  }
}
