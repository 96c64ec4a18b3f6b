package io.maskkv.bench.eval;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Scores in LongBench's own {@code result.json} layout (THUDM/LongBench {@code eval.py}: one JSON object per
 * model folder, dataset to {@code round(100 * mean score, 2)}), one folder per configuration we ran:
 * {@code DIR/full/result.json}, {@code DIR/maskkv-64/result.json}, ... so that LongBench's tables and scripts
 * read them as they read theirs.
 */
public final class LongBenchResults {
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private LongBenchResults() {}

  /** The folder beside a results CSV: {@code out.csv} → {@code out-longbench/}. */
  public static Path dirFor(Path csv) {
    String n = String.valueOf(csv.getFileName());
    String stem = n.endsWith(".csv") ? n.substring(0, n.length() - 4) : n;
    Path parent = csv.toAbsolutePath().getParent();
    return parent.resolve(stem + "-longbench");
  }

  /** Writes one result.json per method and budget; returns the files written. */
  public static List<Path> write(Path dir, List<EvalRow> rows) throws IOException {
    Map<String, ObjectNode> byConfig = new LinkedHashMap<>();
    for (EvalRow r : rows) {
      String config = r.isFull() ? r.method() : (r.method() + "-" + r.budget()).replace('+', '_');
      ObjectNode o = byConfig.computeIfAbsent(config, c -> JSON.createObjectNode());
      o.put(r.task(), BigDecimal.valueOf(100 * r.accuracy()).setScale(2, RoundingMode.HALF_EVEN).doubleValue());
    }
    List<Path> files = new ArrayList<>();
    for (Map.Entry<String, ObjectNode> e : byConfig.entrySet()) {
      Path f = dir.resolve(e.getKey()).resolve("result.json");
      Files.createDirectories(f.getParent());
      Files.writeString(f, JSON.writeValueAsString(e.getValue()));
      files.add(f);
    }
    return files;
  }
}
