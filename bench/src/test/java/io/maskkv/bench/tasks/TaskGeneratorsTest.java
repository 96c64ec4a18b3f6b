package io.maskkv.bench.tasks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.maskkv.bench.longbench.LongBenchRecord;
import io.maskkv.bench.longbench.Metric;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Properties every task must have, at the lengths the harness uses. */
class TaskGeneratorsTest {
  private static final Set<String> VOCAB = new HashSet<>(TaskVocabulary.words());

  static Stream<Arguments> tasksAndLengths() {
    return TaskRegistry.names().stream()
        .flatMap(t -> Stream.of(128, 1024, 4096).map(l -> Arguments.of(t, l)));
  }

  @ParameterizedTest(name = "{0} at {1}")
  @MethodSource("tasksAndLengths")
  void promptHasTheTargetLengthAndOnlyVocabularyTokens(String task, int length) {
    TaskGenerator g = TaskRegistry.get(task);
    for (long seed = 0; seed < 5; seed++) {
      LongBenchRecord r = g.generate(new SplittableRandom(seed), length, (int) seed);
      String prompt = TaskVocabulary.asPrompt(r);
      assertEquals(length, TaskVocabulary.countTokens(prompt), "prompt length");
      assertEquals(TaskVocabulary.countTokens(r.context()), r.length(), "length field");
      for (String t : TaskVocabulary.tokens(prompt)) {
        assertTrue(VOCAB.contains(t), "token '" + t + "' is not in the vocabulary");
      }
      assertEquals(1, r.answers().size());
      String answer = r.answers().get(0);
      List<String> words = TaskVocabulary.tokens(answer);
      if (task.equals("vartrack-path")) {
        assertTrue(words.size() >= 3 && words.size() <= 7, "a path of 2-4 words with commas: " + words);
      } else {
        assertEquals(1, words.size(), "answer must be one token");
      }
      for (String w : words) {
        assertTrue(VOCAB.contains(w), "answer word '" + w + "' is not in the vocabulary");
      }
      assertEquals(1.0, Metric.EXACT_MATCH.score(answer, r.answers()));
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("names")
  void theSameSeedGivesTheSameRecordAndAnotherSeedAnother(String task) {
    TaskGenerator g = TaskRegistry.get(task);
    LongBenchRecord a = g.generate(new SplittableRandom(42), 512, 3);
    LongBenchRecord b = g.generate(new SplittableRandom(42), 512, 3);
    LongBenchRecord c = g.generate(new SplittableRandom(43), 512, 3);
    assertEquals(a, b);
    assertNotEquals(a.context(), c.context());
    assertEquals(task + "-3", a.id());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("names")
  void everyLengthFromTheMinimumUpIsMetExactly(String task) {
    // the curriculum starts short; lengths just above the minimum stress the fitting logic
    TaskGenerator g = TaskRegistry.get(task);
    for (int length = g.minLength(); length <= 160; length++) {
      for (long seed = 0; seed < 4; seed++) {
        TaskInstance inst = g.instance(new SplittableRandom(seed * 1000 + length), length, 1);
        LongBenchRecord r = inst.record(0, "x");
        assertEquals(length, TaskVocabulary.countTokens(TaskVocabulary.asPrompt(r)), "length " + length);
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("names")
  void aTargetBelowTheMinimumIsRejected(String task) {
    TaskGenerator g = TaskRegistry.get(task);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> g.generate(new SplittableRandom(1), g.minLength() - 1, 0));
    assertTrue(e.getMessage().contains(task), e.getMessage());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("names")
  void severalQuestionsShareOneContextAndAreDistinct(String task) {
    TaskInstance inst = TaskRegistry.get(task).instance(new SplittableRandom(5), 1024, 4);
    int expected = task.equals("needle") ? 1 : 4;
    assertEquals(expected, inst.queries().size());
    assertEquals(expected, inst.queries().stream().map(TaskQuery::input).distinct().count());
    int promptLength = TaskVocabulary.countTokens(TaskVocabulary.asPrompt(inst.record(expected - 1, "x")));
    assertEquals(1024, promptLength);
  }

  static Stream<String> names() {
    return TaskRegistry.names().stream();
  }

  @Test
  void registryListsTheFiveFamiliesThenTheCurriculumInHelpOrder() {
    assertEquals(List.of("needle", "multikey", "multivalue", "vartrack", "count", "vartrack-1hop", "vartrack-2hop",
        "vartrack-3hop", "vartrack-path"), TaskRegistry.names());
    for (TaskGenerator g : TaskRegistry.all()) {
      assertTrue(!g.description().isBlank());
    }
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TaskRegistry.get("nope"));
    assertTrue(e.getMessage().contains("needle"), e.getMessage());
  }
}
