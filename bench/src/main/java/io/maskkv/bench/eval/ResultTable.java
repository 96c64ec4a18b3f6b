package io.maskkv.bench.eval;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.ToDoubleFunction;

/**
 * Plain-text tables of results, one pair per task: accuracy (%) with rows = method and columns = budget, and
 * retention (% of the full-cache accuracy). The {@code full} row is budget-independent, so its one value is
 * repeated in every column; the {@code mean} column averages a method over the budgets. Undefined values
 * (retention when the full cache scores 0) print as {@code -}.
 */
public final class ResultTable {
  private ResultTable() {}

  public static String format(List<EvalRow> rows) {
    StringBuilder out = new StringBuilder();
    for (Map.Entry<String, List<EvalRow>> task : byTask(rows).entrySet()) {
      List<EvalRow> rs = task.getValue();
      int n = rs.get(0).n();
      if (out.length() > 0) {
        out.append('\n');
      }
      out.append(String.format(Locale.ROOT, "task %s, %d records: accuracy (%%)%n", task.getKey(), n));
      out.append(table(rs, EvalRow::accuracy));
      out.append(String.format(Locale.ROOT, "%ntask %s: retention (%% of full-cache accuracy)%n", task.getKey()));
      out.append(table(rs, EvalRow::retention));
    }
    return out.toString();
  }

  /** One task's table of a value (a fraction, printed as a percentage). */
  static String table(List<EvalRow> rows, ToDoubleFunction<EvalRow> value) {
    Set<Integer> budgets = new TreeSet<>();
    Set<String> methods = new LinkedHashSet<>();
    EvalRow full = null;
    for (EvalRow r : rows) {
      if (r.isFull()) {
        full = r;
      } else {
        budgets.add(r.budget());
        methods.add(r.method());
      }
    }
    int nameWidth = "method".length();
    for (String m : methods) {
      nameWidth = Math.max(nameWidth, m.length());
    }
    nameWidth += 1; // at least one space before the first column's padding
    List<String> header = new ArrayList<>();
    for (int b : budgets) {
      header.add(Integer.toString(b));
    }
    boolean mean = !budgets.isEmpty();
    if (mean) {
      header.add("mean");
    }
    if (budgets.isEmpty()) {
      header.add("value");
    }
    int cell = 7;
    for (String h : header) {
      cell = Math.max(cell, h.length() + 1);
    }
    StringBuilder out = new StringBuilder();
    out.append(pad("method", nameWidth, false));
    for (String h : header) {
      out.append(pad(h, cell, true));
    }
    out.append('\n');
    if (full != null) {
      String v = percent(value.applyAsDouble(full));
      out.append(pad(full.method(), nameWidth, false));
      for (int i = 0; i < header.size(); i++) {
        out.append(pad(v, cell, true));
      }
      out.append('\n');
    }
    for (String m : methods) {
      out.append(pad(m, nameWidth, false));
      double sum = 0;
      int count = 0;
      for (int b : budgets) {
        EvalRow r = find(rows, m, b);
        double v = r == null ? Double.NaN : value.applyAsDouble(r);
        if (!Double.isNaN(v)) {
          sum += v;
          count++;
        }
        out.append(pad(percent(v), cell, true));
      }
      if (mean) {
        out.append(pad(percent(count == budgets.size() ? sum / count : Double.NaN), cell, true));
      }
      out.append('\n');
    }
    return out.toString();
  }

  static Map<String, List<EvalRow>> byTask(List<EvalRow> rows) {
    Map<String, List<EvalRow>> out = new LinkedHashMap<>();
    for (EvalRow r : rows) {
      out.computeIfAbsent(r.task(), k -> new ArrayList<>()).add(r);
    }
    return out;
  }

  private static EvalRow find(List<EvalRow> rows, String method, int budget) {
    for (EvalRow r : rows) {
      if (r.method().equals(method) && r.budget() == budget) {
        return r;
      }
    }
    return null;
  }

  private static String percent(double v) {
    return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.1f", 100 * v);
  }

  private static String pad(String s, int width, boolean right) {
    if (s.length() >= width) {
      return right ? " " + s : s + " ";
    }
    String fill = " ".repeat(width - s.length());
    return right ? fill + s : s + fill;
  }
}
