package io.maskkv.bench.eval;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Retention curves across task families: for each method, the mean over the families of accuracy / full-cache
 * accuracy, against the share of the prompt kept. Equal-budget results ({@code eval}'s CSV) give the share as
 * budget / prompt length; equal-bytes results ({@code -bytes.csv}) give it as their byte target's share. Both modes
 * of one method share a colour, equal bytes dashed.
 */
public final class RetentionPlot {
  /** One point: a method's mean retention (%) at a share of the prompt (%), under one comparison. */
  public record Point(String method, boolean equalBytes, double sharePercent, double retentionPercent, int families) {}

  /** One line of the chart: a method under one comparison. */
  private record Series(String method, boolean equalBytes) {}

  private record Cell(Series series, double share) {}

  private static final Color[] PALETTE = {new Color(0xd6, 0x27, 0x28), new Color(0x1f, 0x77, 0xb4),
      new Color(0x2c, 0xa0, 0x2c), new Color(0xff, 0x7f, 0x0e), new Color(0x94, 0x67, 0xbd),
      new Color(0x8c, 0x56, 0x4b), new Color(0xe3, 0x77, 0xc2), new Color(0x7f, 0x7f, 0x7f)};

  private RetentionPlot() {}

  /**
   * Mean retention per method, mode and share over the given CSVs (each an equal-budget or an equal-bytes file,
   * told apart by its header). A family whose full cache scored 0 has no retention and is left out of the mean.
   * An equal-budget row sits at the nominal share whose floor is its budget ({@code eval --budgets} written as
   * ⌊share × length⌋), so both comparisons line up; without one it sits at budget / length.
   */
  public static List<Point> points(List<Path> csvs, int promptLength, List<Double> nominalShares) throws IOException {
    Map<Cell, List<Double>> cells = new LinkedHashMap<>();
    for (Path csv : csvs) {
      List<String> lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
      if (lines.isEmpty()) {
        throw new IllegalArgumentException(csv + ": empty");
      }
      List<String> header = ResultCsv.fields(lines.get(0));
      boolean bytes = header.contains("target");
      int method = column(csv, header, "method");
      int where = column(csv, header, bytes ? "target" : "budget");
      int retention = column(csv, header, "retention");
      for (String line : lines.subList(1, lines.size())) {
        if (line.isBlank()) {
          continue;
        }
        List<String> f = ResultCsv.fields(line);
        if (f.get(method).equals(EvalPlan.FULL)) {
          continue;
        }
        double share = bytes ? share(csv, f.get(where))
            : nominal(Integer.parseInt(f.get(where)), promptLength, nominalShares);
        double r = Double.parseDouble(f.get(retention));
        if (!Double.isNaN(r)) {
          cells.computeIfAbsent(new Cell(new Series(f.get(method), bytes), share), k -> new ArrayList<>())
              .add(100 * r);
        }
      }
    }
    List<Point> out = new ArrayList<>();
    cells.forEach((c, v) -> out.add(new Point(c.series().method(), c.series().equalBytes(), c.share(),
        v.stream().mapToDouble(Double::doubleValue).average().orElseThrow(), v.size())));
    return out;
  }

  /** Writes the chart; the x axis is log-scaled share of the prompt (%). */
  public static Path write(Path png, String title, List<Point> points) throws IOException {
    XYChart chart = new XYChartBuilder().width(900).height(560).title(title)
        .xAxisTitle("prompt KV kept (% of the prompt, log scale)").yAxisTitle("retention (% of full-cache accuracy)")
        .build();
    chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
    chart.getStyler().setXAxisLogarithmic(true);
    chart.getStyler().setYAxisMin(-3.0);
    chart.getStyler().setYAxisMax(110.0);
    chart.getStyler().setYAxisDecimalPattern("0");
    chart.getStyler().setChartBackgroundColor(Color.WHITE);
    Map<String, Color> colours = new LinkedHashMap<>();
    Map<Series, TreeMap<Double, Double>> series = new LinkedHashMap<>();
    for (Point p : points) {
      colours.computeIfAbsent(p.method(), m -> PALETTE[colours.size() % PALETTE.length]);
      series.computeIfAbsent(new Series(p.method(), p.equalBytes()), k -> new TreeMap<>())
          .put(p.sharePercent(), p.retentionPercent());
    }
    for (Map.Entry<Series, TreeMap<Double, Double>> e : series.entrySet()) {
      Series k = e.getKey();
      XYSeries s = chart.addSeries(k.method() + (k.equalBytes() ? " (equal bytes)" : ""),
          e.getValue().keySet().stream().mapToDouble(Double::doubleValue).toArray(),
          e.getValue().values().stream().mapToDouble(Double::doubleValue).toArray());
      s.setLineColor(colours.get(k.method()));
      s.setMarkerColor(colours.get(k.method()));
      s.setMarker(k.equalBytes() ? SeriesMarkers.SQUARE : SeriesMarkers.CIRCLE);
      s.setLineStyle(k.equalBytes() ? AccuracyPlot.dashed() : new BasicStroke(2f));
    }
    AccuracyPlot.save(chart, png);
    return png;
  }

  private static double nominal(int budget, int promptLength, List<Double> nominalShares) {
    for (double s : nominalShares) {
      if ((int) Math.floor(s / 100 * promptLength) == budget) {
        return s;
      }
    }
    return 100.0 * budget / promptLength;
  }

  private static int column(Path csv, List<String> header, String name) {
    int i = header.indexOf(name);
    if (i < 0) {
      throw new IllegalArgumentException(csv + ": no column '" + name + "' in " + header);
    }
    return i;
  }

  private static double share(Path csv, String target) {
    if (!target.endsWith("%")) {
      throw new IllegalArgumentException(csv + ": byte target '" + target + "' is not a share of the prompt (2.5%); "
          + "retention curves need eval --kv-bytes given as shares");
    }
    return Double.parseDouble(target.substring(0, target.length() - 1));
  }

  /** The points as a table, one row per method and comparison, one column per share. */
  public static String table(List<Point> points) {
    TreeMap<Double, Integer> shares = new TreeMap<>();
    points.forEach(p -> shares.put(p.sharePercent(), 0));
    Map<String, Map<Double, Point>> rows = new LinkedHashMap<>();
    for (Point p : points) {
      rows.computeIfAbsent(p.method() + (p.equalBytes() ? ", equal bytes" : ""), k -> new TreeMap<>())
          .put(p.sharePercent(), p);
    }
    StringBuilder sb = new StringBuilder("| method |");
    shares.keySet().forEach(s -> sb.append(String.format(Locale.ROOT, " %s%% |", trim(s))));
    sb.append("\n|---|").append("---|".repeat(shares.size())).append('\n');
    rows.forEach((name, cells) -> {
      sb.append("| ").append(name).append(" |");
      for (double s : shares.keySet()) {
        Point p = cells.get(s);
        sb.append(p == null ? " - |" : String.format(Locale.ROOT, " %.1f |", p.retentionPercent()));
      }
      sb.append('\n');
    });
    return sb.toString();
  }

  private static String trim(double share) {
    return new java.math.BigDecimal(String.valueOf(share)).stripTrailingZeros().toPlainString();
  }
}
