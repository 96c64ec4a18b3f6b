package io.maskkv.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** One record of a LongBench-format JSONL file ({@code context}, {@code input}, {@code answers}), for generate. */
record LongBenchRecord(String context, String input, List<String> answers) {
  /** The prompt make-tasks' records are scored with: the context, a space, the question. */
  String prompt() {
    return input.isEmpty() ? context : context + " " + input;
  }

  int promptWords() {
    return prompt().split("\\s+").length;
  }

  static LongBenchRecord read(Path file, int index) {
    if (index < 0) {
      throw new IllegalArgumentException("--index must be >= 0, got " + index);
    }
    try (BufferedReader in = Files.newBufferedReader(file)) {
      String line;
      int i = 0;
      while ((line = in.readLine()) != null) {
        if (line.isBlank()) {
          continue;
        }
        if (i++ == index) {
          JsonNode n = new ObjectMapper().readTree(line);
          List<String> answers = new ArrayList<>();
          n.path("answers").forEach(a -> answers.add(a.asText()));
          return new LongBenchRecord(n.path("context").asText(""), n.path("input").asText(""), answers);
        }
      }
      throw new IllegalArgumentException(file + " has " + i + " records; --index " + index + " is past the end");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }
}
