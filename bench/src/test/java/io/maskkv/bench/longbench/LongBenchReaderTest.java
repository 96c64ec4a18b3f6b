package io.maskkv.bench.longbench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LongBenchReaderTest {
  private static final String GOOD =
      "{\"input\": \"q1\", \"context\": \"c one\", \"answers\": [\"a1\", \"b1\"], \"length\": 2, "
          + "\"dataset\": \"hotpotqa\", \"language\": \"en\", \"all_classes\": null, \"_id\": \"id-1\"}";

  @TempDir Path dir;

  private Path file(String name, String... lines) throws IOException {
    Path f = dir.resolve(name);
    Files.writeString(f, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
    return f;
  }

  @Test
  void readsLongBenchLinesAndSkipsBlankOnes() throws IOException {
    Path f = file("ok.jsonl", GOOD, "", "   ",
        "{\"context\": \"x\", \"input\": \"which?\", \"answers\": [\"Entity\"], \"length\": 1, \"_id\": \"t\", "
            + "\"all_classes\": [\"Entity\", \"Human\"]}");
    List<LongBenchRecord> records = LongBenchReader.read(f);
    assertEquals(2, records.size());
    LongBenchRecord first = records.get(0);
    assertEquals("id-1", first.id());
    assertEquals("c one", first.context());
    assertEquals("q1", first.input());
    assertEquals(List.of("a1", "b1"), first.answers());
    assertEquals(2, first.length());
    assertNull(first.allClasses());
    assertEquals(List.of("Entity", "Human"), records.get(1).allClasses());
  }

  @Test
  void missingIdAndLengthGetTheLineNumberAndTheWordCount() throws IOException {
    Path f = file("bare.jsonl", "", "{\"context\": \" three  words here \", \"input\": \"q\", \"answers\": [\"a\"]}");
    LongBenchRecord r = LongBenchReader.read(f).get(0);
    assertEquals("line-2", r.id());
    assertEquals(3, r.length());
  }

  @Test
  void streamingGivesTheSameRecords() throws IOException {
    Path f = file("s.jsonl", GOOD, GOOD.replace("id-1", "id-2"));
    try (Stream<LongBenchRecord> s = LongBenchReader.stream(f)) {
      assertEquals(List.of("id-1", "id-2"), s.map(LongBenchRecord::id).collect(Collectors.toList()));
    }
  }

  @Test
  void aByteOrderMarkIsNotAnError() throws IOException {
    Path f = file("bom.jsonl", "\uFEFF" + GOOD);
    assertEquals("id-1", LongBenchReader.read(f).get(0).id());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', quoteCharacter = '~', value = {
      "not json                  | {\"context\": \"c\", \"input\" | not JSON",
      "trailing text             | {\"context\": \"c\", \"input\": \"q\", \"answers\": [\"a\"]} extra | not JSON",
      "a list, not an object     | [1, 2] | expected a JSON object, got a list",
      "missing answers           | {\"context\": \"c\", \"input\": \"q\"} | missing 'answers'",
      "null answers              | {\"context\": \"c\", \"input\": \"q\", \"answers\": null} | 'answers' is null",
      "answers a string          | {\"context\": \"c\", \"input\": \"q\", \"answers\": \"a\"} | 'answers' must be a list of strings, got a string",
      "answers with a number     | {\"context\": \"c\", \"input\": \"q\", \"answers\": [\"a\", 3]} | element 1 is a number",
      "answers empty             | {\"context\": \"c\", \"input\": \"q\", \"answers\": []} | 'answers' is an empty list",
      "missing context           | {\"input\": \"q\", \"answers\": [\"a\"]} | missing 'context'",
      "context a number          | {\"context\": 5, \"input\": \"q\", \"answers\": [\"a\"]} | 'context' must be a string, got a number",
      "missing input             | {\"context\": \"c\", \"answers\": [\"a\"]} | missing 'input'",
      "length negative           | {\"context\": \"c\", \"input\": \"q\", \"answers\": [\"a\"], \"length\": -1} | 'length' must be a non-negative integer",
      "length a string           | {\"context\": \"c\", \"input\": \"q\", \"answers\": [\"a\"], \"length\": \"9\"} | 'length' must be a non-negative integer",
      "all_classes not strings   | {\"context\": \"c\", \"input\": \"q\", \"answers\": [\"a\"], \"all_classes\": [true]} | 'all_classes' must be a list of strings",
  })
  void malformedLinesNameTheFileTheLineAndTheProblem(String caseName, String badLine, String problem)
      throws IOException {
    // good line 1, blank line 2 (still counted), bad line 3, good line 4
    Path f = file("bad.jsonl", GOOD, "", badLine.strip(), GOOD);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LongBenchReader.read(f));
    assertTrue(e.getMessage().startsWith("bad.jsonl line 3: "), e.getMessage());
    assertTrue(e.getMessage().contains(problem), e.getMessage());
  }

  @Test
  void streamingFailsWhenItReachesTheBadLine() throws IOException {
    Path f = file("late.jsonl", GOOD, GOOD, "{oops");
    try (Stream<LongBenchRecord> s = LongBenchReader.stream(f)) {
      var it = s.iterator();
      it.next();
      it.next();
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, it::next);
      assertTrue(e.getMessage().contains("late.jsonl line 3"), e.getMessage());
    }
  }
}
