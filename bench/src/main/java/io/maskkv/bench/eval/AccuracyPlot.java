package io.maskkv.bench.eval;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
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
    if (System.getProperty("java.awt.headless") == null) {
      System.setProperty("java.awt.headless", "true");
    }
    XYChart chart = chart(task, rows);
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
    chart.getStyler().setYAxisMin(0.0);
    chart.getStyler().setYAxisMax(100.0);
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
    double lo = budgets.isEmpty() ? 0 : log2(budgets.first());
    double hi = budgets.isEmpty() ? 1 : log2(budgets.last());
    if (hi - lo < 1e-9) {
      lo -= 0.5;
      hi += 0.5;
    }
    chart.getStyler().setXAxisMin(lo - 0.25);
    chart.getStyler().setXAxisMax(hi + 0.25);
    if (full != null) {
      double y = 100 * full.accuracy();
      XYSeries s = chart.addSeries("full", new double[] {lo, hi}, new double[] {y, y});
      s.setLineStyle(new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {8f, 6f}, 0f));
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

  /** Tick label at log2 position x: the budget when x is a whole power of two, otherwise none. */
  static String budgetLabel(Double x) {
    double r = Math.rint(x);
    if (Math.abs(x - r) > 1e-6 || r < 0 || r > 30) {
      return " ";
    }
    return Long.toString(1L << (long) r);
  }

  private static double log2(int b) {
    return Math.log(b) / Math.log(2);
  }
}
