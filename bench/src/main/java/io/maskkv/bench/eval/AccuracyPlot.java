package io.maskkv.bench.eval;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Accuracy vs budget as a PNG line chart (XChart), one per task: a line per method over the budgets on a
 * log2 axis, and the full cache as a flat dashed line across them.
 */
public final class AccuracyPlot {
  private static final int WIDTH = 900;
  private static final int HEIGHT = 560;

  private AccuracyPlot() {}

  /**
   * Where the plots of a CSV go: {@code results.csv} gives {@code results.png} for one task, and
   * {@code results-<task>.png} per task for several.
   */
  public static Map<String, Path> paths(Path csv, List<String> tasks) {
    String name = String.valueOf(csv.getFileName());
    String stem = name.endsWith(".csv") ? name.substring(0, name.length() - 4) : name;
    Map<String, Path> out = new LinkedHashMap<>();
    for (String t : tasks) {
      String file = tasks.size() == 1 ? stem + ".png" : stem + "-" + t.replaceAll("[^A-Za-z0-9._-]", "_") + ".png";
      out.put(t, csv.resolveSibling(file));
    }
    return out;
  }

  /** Writes one PNG per task next to the CSV and returns their paths. */
  public static List<Path> write(Path csv, List<EvalRow> rows) throws IOException {
    Map<String, List<EvalRow>> byTask = ResultTable.byTask(rows);
    Map<String, Path> paths = paths(csv, new ArrayList<>(byTask.keySet()));
    List<Path> written = new ArrayList<>();
    for (Map.Entry<String, List<EvalRow>> e : byTask.entrySet()) {
      Path png = paths.get(e.getKey());
      write(png, e.getKey(), e.getValue());
      written.add(png);
    }
    return written;
  }

  /** One task's chart. */
  public static void write(Path png, String task, List<EvalRow> rows) throws IOException {
    save(chart(task, rows), png);
  }

  /** A dashed line, for a reference series (the full cache) or a second comparison (equal bytes). */
  static BasicStroke dashed() {
    return new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {8f, 6f}, 0f);
  }

  /** Writes a chart as a PNG at exactly {@code png}, creating its folder, on a machine without a display. */
  static void save(XYChart chart, Path png) throws IOException {
    if (System.getProperty("java.awt.headless") == null) {
      System.setProperty("java.awt.headless", "true");
    }
    Path parent = png.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    BitmapEncoder.saveBitmap(chart, png.toString(), BitmapEncoder.BitmapFormat.PNG);
    // XChart appends ".png" to a name without the extension
    if (!String.valueOf(png.getFileName()).endsWith(".png")) {
      Files.move(Path.of(png + ".png"), png, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
  }

  static XYChart chart(String task, List<EvalRow> rows) {
    String metric = rows.isEmpty() ? "" : rows.get(0).metric();
    int n = rows.isEmpty() ? 0 : rows.get(0).n();
    XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT)
        .title(task + ": accuracy vs KV budget (" + metric + ", " + n + " records)")
        .xAxisTitle("budget (prompt KV pairs per head per layer, log2 scale)")
        .yAxisTitle("accuracy (%)").build();
    chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
    // a margin around 0..100 keeps points off the frame, and keeps XChart from putting the y ticks on the data
    // when every value is 0 (it does that when the axis's distinct values, ends included, are equally spaced)
    chart.getStyler().setYAxisMin(-3.0);
    chart.getStyler().setYAxisMax(103.0);
    chart.getStyler().setYAxisDecimalPattern("0");
    chart.getStyler().setChartBackgroundColor(Color.WHITE);
    chart.getStyler().setPlotGridLinesVisible(true);
    chart.setCustomXAxisTickLabelsFormatter(AccuracyPlot::budgetLabel);

    TreeSet<Integer> budgets = new TreeSet<>();
    Map<String, List<EvalRow>> byMethod = new LinkedHashMap<>();
    EvalRow full = null;
    for (EvalRow r : rows) {
      if (r.isFull()) {
        full = r;
      } else {
        budgets.add(r.budget());
        byMethod.computeIfAbsent(r.method(), k -> new ArrayList<>()).add(r);
      }
    }
    // The full line has a point at every budget (a single budget gets a short line around it) and comes first:
    // XChart checks whether the distinct x values, in the order the series bring them, are equally spaced, and
    // if so (budgets in a geometric series, the usual case) puts the ticks exactly on them.
    double[] fullX;
    if (budgets.size() >= 2) {
      fullX = budgets.stream().mapToDouble(AccuracyPlot::log2).toArray();
    } else {
      double x = budgets.isEmpty() ? 0 : log2(budgets.first());
      fullX = new double[] {x - 0.5, x, x + 0.5};
    }
    if (full != null) {
      double[] fullY = new double[fullX.length];
      Arrays.fill(fullY, 100 * full.accuracy());
      XYSeries s = chart.addSeries("full", fullX, fullY);
      s.setLineStyle(dashed());
      s.setLineColor(Color.DARK_GRAY);
      s.setMarker(SeriesMarkers.NONE);
    }
    for (Map.Entry<String, List<EvalRow>> e : byMethod.entrySet()) {
      List<EvalRow> rs = new ArrayList<>(e.getValue());
      rs.sort((a, b) -> Integer.compare(a.budget(), b.budget()));
      double[] x = new double[rs.size()];
      double[] y = new double[rs.size()];
      for (int i = 0; i < rs.size(); i++) {
        x[i] = log2(rs.get(i).budget());
        y[i] = 100 * rs.get(i).accuracy();
      }
      XYSeries s = chart.addSeries(e.getKey(), x, y);
      s.setMarker(SeriesMarkers.CIRCLE);
    }
    return chart;
  }

  /**
   * Tick label at log2 position x: the budget 2^x, whole when it is (within rounding), else to one decimal.
   * Labels must differ between ticks, or XChart drops them all.
   */
  static String budgetLabel(Double x) {
    double v = Math.pow(2, x);
    double r = Math.rint(v);
    if (Math.abs(v - r) <= 1e-6 * Math.max(1, v)) {
      return Long.toString((long) r);
    }
    return String.format(Locale.ROOT, "%.1f", v);
  }

  private static double log2(int b) {
    return Math.log(b) / Math.log(2);
  }
}
