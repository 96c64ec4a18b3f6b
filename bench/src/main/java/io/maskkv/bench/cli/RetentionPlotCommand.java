package io.maskkv.bench.cli;

import io.maskkv.bench.eval.RetentionPlot;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "retention-plot", mixinStandardHelpOptions = true,
    description = "Mean retention over task families (accuracy / full-cache accuracy) against the share of the "
        + "prompt kept, from eval's CSVs: equal budget (NAME.csv) and equal bytes (NAME-bytes.csv, --kv-bytes as "
        + "shares); prints the table and writes a PNG.")
public final class RetentionPlotCommand implements Callable<Integer> {
  @Parameters(arity = "1..*", description = "eval CSVs, one family each, all at the same prompt length")
  List<Path> csvs;

  @Option(names = "--length", required = true, description = "prompt length in tokens (budget / length = share)")
  int length;

  @Option(names = "--shares", split = ",", defaultValue = "1,2.5,5,10",
      description = "nominal shares of the prompt (%%) the budgets were floored from (default: 1,2.5,5,10)")
  List<Double> shares;

  @Option(names = "--out", required = true, description = "PNG to write")
  Path out;

  @Option(names = "--title", description = "chart title (default: names the length)")
  String title;

  @Override
  public Integer call() throws Exception {
    List<RetentionPlot.Point> points = RetentionPlot.points(csvs, length, shares);
    System.out.print(RetentionPlot.table(points));
    RetentionPlot.write(out, title != null ? title : "Retention at " + length + " tokens (mean over families)",
        points);
    System.out.println("wrote " + out);
    return 0;
  }
}
