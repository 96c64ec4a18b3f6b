package io.maskkv.bench.eval;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * Every scored generation as JSONL ({@code task, id, method, budget, answer, score}; budget null for
 * {@code full}), written as it happens, for reading what the model actually answered.
 */
public final class PredictionLog implements Consumer<EvalRunner.Prediction>, AutoCloseable {
  private static final JsonFactory JSON = new JsonFactory();
  private final Writer out;

  private PredictionLog(Writer out) {
    this.out = out;
  }

  public static PredictionLog open(Path file) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    return new PredictionLog(Files.newBufferedWriter(file, StandardCharsets.UTF_8));
  }

  @Override
  public void accept(EvalRunner.Prediction p) {
    try {
      JsonGenerator g = JSON.createGenerator(out);
      g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
      g.writeStartObject();
      g.writeStringField("task", p.task());
      g.writeStringField("id", p.id());
      g.writeStringField("method", p.method());
      if (p.method().equals(EvalPlan.FULL)) {
        g.writeNullField("budget");
      } else {
        g.writeNumberField("budget", p.budget());
      }
      g.writeStringField("answer", p.answer());
      g.writeNumberField("score", p.score());
      g.writeEndObject();
      g.close();
      out.write('\n');
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() throws IOException {
    out.close();
  }
}
