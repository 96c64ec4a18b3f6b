package io.maskkv.bench.longbench;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes LongBench-format JSONL, one record per line, with the fields in LongBench's order
 * ({@code context, input, answers, length, _id}) and {@code all_classes} only for records that carry a label
 * set. Use {@link #open} to stream records to a file, or {@link #write} for a whole collection.
 */
public final class LongBenchWriter implements AutoCloseable {
  private static final JsonFactory JSON = new JsonFactory();

  private final Writer out;

  private LongBenchWriter(Writer out) {
    this.out = out;
  }

  public static LongBenchWriter open(Path file) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    return new LongBenchWriter(Files.newBufferedWriter(file, StandardCharsets.UTF_8));
  }

  public static void write(Path file, Iterable<LongBenchRecord> records) throws IOException {
    try (LongBenchWriter w = open(file)) {
      for (LongBenchRecord r : records) {
        w.write(r);
      }
    }
  }

  public void write(LongBenchRecord r) throws IOException {
    out.write(toJsonLine(r));
    out.write('\n');
  }

  /** The JSON object of one record, without the line break. */
  public static String toJsonLine(LongBenchRecord r) {
    StringWriter s = new StringWriter();
    try (JsonGenerator g = JSON.createGenerator(s)) {
      g.writeStartObject();
      g.writeStringField("context", r.context());
      g.writeStringField("input", r.input());
      g.writeArrayFieldStart("answers");
      for (String a : r.answers()) {
        g.writeString(a);
      }
      g.writeEndArray();
      g.writeNumberField("length", r.length());
      g.writeStringField("_id", r.id());
      if (r.allClasses() != null) {
        g.writeArrayFieldStart("all_classes");
        for (String c : r.allClasses()) {
          g.writeString(c);
        }
        g.writeEndArray();
      }
      g.writeEndObject();
    } catch (IOException e) {
      throw new IllegalStateException("writing JSON to a string cannot fail", e);
    }
    return s.toString();
  }

  @Override
  public void close() throws IOException {
    out.close();
  }
}
