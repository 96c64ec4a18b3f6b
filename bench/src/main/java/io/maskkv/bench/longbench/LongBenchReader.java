package io.maskkv.bench.longbench;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * Reads LongBench-format JSONL: one JSON object per line with {@code context}, {@code input} and
 * {@code answers} (a list of strings), and optionally {@code length}, {@code _id}, {@code all_classes} and
 * {@code dataset}. Other fields ({@code language}, ...) are ignored, so the released LongBench files read as
 * they are. Blank lines are skipped. A malformed line fails the whole read with an
 * {@link IllegalArgumentException} naming the file, the line number and what is wrong, because a silently
 * skipped example would change the score.
 */
public final class LongBenchReader {
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private LongBenchReader() {}

  public static List<LongBenchRecord> read(Path file) throws IOException {
    try (Stream<LongBenchRecord> records = stream(file)) {
      List<LongBenchRecord> all = new ArrayList<>();
      records.forEachOrdered(all::add);
      return all;
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }

  /**
   * Reads lazily, one line at a time, for files too large to hold; the caller must close the stream.
   * I/O errors surface as {@link UncheckedIOException}.
   */
  public static Stream<LongBenchRecord> stream(Path file) throws IOException {
    BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8);
    LineIterator lines = new LineIterator(file, in);
    return StreamSupport.stream(
            Spliterators.spliteratorUnknownSize(lines, Spliterator.ORDERED | Spliterator.NONNULL), false)
        .onClose(lines::close);
  }

  /** Parses one line; {@code lineNumber} is 1-based and only used in error messages. */
  public static LongBenchRecord parseLine(String source, int lineNumber, String line) {
    JsonNode node;
    try {
      node = JSON.readTree(line);
    } catch (JacksonException e) {
      throw malformed(source, lineNumber, "not JSON (" + e.getOriginalMessage() + ")");
    }
    if (node == null || !node.isObject()) {
      throw malformed(source, lineNumber, "expected a JSON object, got " + kind(node));
    }
    String context = requiredString(source, lineNumber, node, "context");
    String input = requiredString(source, lineNumber, node, "input");
    List<String> answers = stringList(source, lineNumber, node, "answers", true);
    if (answers.isEmpty()) {
      throw malformed(source, lineNumber, "'answers' is an empty list; nothing could ever score");
    }
    List<String> allClasses = stringList(source, lineNumber, node, "all_classes", false);
    int length = length(source, lineNumber, node, context);
    String id = optionalId(source, lineNumber, node);
    JsonNode ds = node.get("dataset");
    if (ds != null && !ds.isNull() && !ds.isTextual()) {
      throw malformed(source, lineNumber, "'dataset' must be a string, got " + kind(ds));
    }
    String dataset = ds == null || ds.isNull() || ds.textValue().isBlank() ? null : ds.textValue().strip();
    return new LongBenchRecord(id, context, input, answers, length, allClasses, dataset);
  }

  private static String requiredString(String source, int line, JsonNode node, String field) {
    JsonNode v = node.get(field);
    if (v == null) {
      throw malformed(source, line, "missing '" + field + "'");
    }
    if (!v.isTextual()) {
      throw malformed(source, line, "'" + field + "' must be a string, got " + kind(v));
    }
    return v.textValue();
  }

  /** A list of strings; absent or null gives null unless required. */
  private static List<String> stringList(String source, int line, JsonNode node, String field, boolean required) {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      if (required) {
        throw malformed(source, line, v == null ? "missing '" + field + "'" : "'" + field + "' is null");
      }
      return null;
    }
    if (!v.isArray()) {
      throw malformed(source, line, "'" + field + "' must be a list of strings, got " + kind(v));
    }
    List<String> out = new ArrayList<>(v.size());
    for (int i = 0; i < v.size(); i++) {
      JsonNode e = v.get(i);
      if (!e.isTextual()) {
        throw malformed(source, line,
            "'" + field + "' must be a list of strings, element " + i + " is " + kind(e));
      }
      out.add(e.textValue());
    }
    return out;
  }

  /** LongBench's word count of the context; files without it get the whitespace word count instead. */
  private static int length(String source, int line, JsonNode node, String context) {
    JsonNode v = node.get("length");
    if (v == null || v.isNull()) {
      String trimmed = context.strip();
      return trimmed.isEmpty() ? 0 : trimmed.split("\\s+").length;
    }
    if (!v.isIntegralNumber() || !v.canConvertToInt() || v.intValue() < 0) {
      throw malformed(source, line, "'length' must be a non-negative integer, got " + v);
    }
    return v.intValue();
  }

  private static String optionalId(String source, int line, JsonNode node) {
    JsonNode v = node.get("_id");
    if (v == null || v.isNull()) {
      return "line-" + line;
    }
    if (!v.isTextual() && !v.isNumber()) {
      throw malformed(source, line, "'_id' must be a string, got " + kind(v));
    }
    return v.asText();
  }

  private static String kind(JsonNode v) {
    if (v == null || v.isMissingNode()) {
      return "nothing";
    }
    return switch (v.getNodeType()) {
      case ARRAY -> "a list";
      case OBJECT -> "an object";
      case STRING -> "a string";
      case NUMBER -> "a number";
      case BOOLEAN -> "a boolean";
      case NULL -> "null";
      default -> v.getNodeType().toString().toLowerCase();
    };
  }

  private static IllegalArgumentException malformed(String source, int line, String what) {
    return new IllegalArgumentException(source + " line " + line + ": " + what);
  }

  /** Pulls non-blank lines and parses them one at a time. */
  private static final class LineIterator implements Iterator<LongBenchRecord> {
    private final String source;
    private final BufferedReader in;
    private int lineNumber;
    private LongBenchRecord next;

    LineIterator(Path file, BufferedReader in) {
      this.source = String.valueOf(file.getFileName());
      this.in = in;
    }

    @Override
    public boolean hasNext() {
      if (next != null) {
        return true;
      }
      try {
        String line;
        while ((line = in.readLine()) != null) {
          lineNumber++;
          if (lineNumber == 1 && line.startsWith("\uFEFF")) {
            line = line.substring(1); // a UTF-8 byte-order mark is not part of the JSON
          }
          if (!line.isBlank()) {
            next = parseLine(source, lineNumber, line);
            return true;
          }
        }
        return false;
      } catch (IOException e) {
        throw new UncheckedIOException(source + " line " + (lineNumber + 1) + ": " + e.getMessage(), e);
      }
    }

    @Override
    public LongBenchRecord next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      LongBenchRecord r = next;
      next = null;
      return r;
    }

    void close() {
      try {
        in.close();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
