package io.maskkv.bench.eval;

/**
 * One cell of the equal-bytes sweep: a method under a byte cap on a task, averaged over its records. For each
 * record the method runs at the largest token budget whose compressed prompt fits under the cap.
 *
 * @param target the cap as given ({@code 2.5%}, {@code 24KiB}); empty for {@code full}
 * @param targetBytes mean cap in bytes over the records (a share's cap follows each prompt's length)
 * @param budget mean token budget chosen (prompt KV pairs per head per layer); 0 for {@code full}
 * @param promptKvBytes mean compressed-prompt KV bytes held (what the cap bounds)
 * @param kvBytes mean peak KV bytes of the generation (the prompt part plus the response rows)
 * @param over records where even budget 1 held more than the cap (then budget 1 ran)
 * @param generations generations run to find the budgets (the search's cost)
 */
public record BytesRow(String task, String method, String target, double targetBytes, double budget,
    double accuracy, double retention, int n, double promptKvBytes, double kvBytes, int over, int generations,
    String metric) {
  public static final String HEADER = "task,method,target,target_bytes,budget,accuracy,retention,n,"
      + "prompt_kv_bytes,kv_bytes,over,generations,metric";

  public boolean isFull() {
    return method.equals(EvalPlan.FULL);
  }

  String csv() {
    return String.join(",", ResultCsv.field(task), ResultCsv.field(method), ResultCsv.field(target),
        String.format(java.util.Locale.ROOT, "%.1f,%.3f,%.4f,%s,%d,%.1f,%.1f,%d,%d", targetBytes, budget, accuracy,
            Double.isNaN(retention) ? "NaN" : String.format(java.util.Locale.ROOT, "%.4f", retention), n,
            promptKvBytes, kvBytes, over, generations),
        ResultCsv.field(metric));
  }
}
