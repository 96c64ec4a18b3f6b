package io.maskkv.bench.tasks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.maskkv.bench.longbench.LongBenchRecord;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Reads each task's context back and checks that the answer sits exactly where the task says it does. */
class TaskPlacementTest {
  private static final int SEEDS = 25;

  private static LongBenchRecord record(String task, long seed, int length) {
    return TaskRegistry.get(task).generate(new SplittableRandom(seed), length, 0);
  }

  private static String answer(LongBenchRecord r) {
    return r.answers().get(0);
  }

  /** The token right before the final "?" of the question. */
  private static String subject(LongBenchRecord r) {
    List<String> q = TaskVocabulary.tokens(r.input());
    return q.get(q.size() - 2);
  }

  private static List<Integer> positions(List<String> tokens, String token) {
    List<Integer> at = new ArrayList<>();
    for (int i = 0; i < tokens.size(); i++) {
      if (tokens.get(i).equals(token)) {
        at.add(i);
      }
    }
    return at;
  }

  @ParameterizedTest
  @ValueSource(ints = {32, 128, 1024})
  void needleStatesThePasskeyOnceAfterItsMarker(int length) {
    for (long seed = 0; seed < SEEDS; seed++) {
      LongBenchRecord r = record("needle", seed, length);
      List<String> ctx = TaskVocabulary.tokens(r.context());
      List<Integer> at = positions(ctx, answer(r));
      assertEquals(1, at.size(), r.context());
      int i = at.get(0);
      assertEquals(List.of("the", "passkey", "is"), ctx.subList(i - 3, i));
      assertEquals(".", ctx.get(i + 1));
      assertEquals(1, positions(ctx, "passkey").size());
      assertEquals("what is the passkey ?", r.input());
    }
  }

  @Test
  void needlePositionIsSpreadOverTheWholeContext() {
    int[] thirds = new int[3];
    int n = 300;
    for (long seed = 0; seed < n; seed++) {
      LongBenchRecord r = record("needle", seed, 512);
      List<String> ctx = TaskVocabulary.tokens(r.context());
      int i = ctx.indexOf(answer(r));
      thirds[Math.min(2, 3 * i / ctx.size())]++;
    }
    for (int t : thirds) {
      assertTrue(t > n / 5, "needle depth by thirds: " + Arrays.toString(thirds));
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {32, 128, 1024, 4096})
  void multikeyBindsTheAskedKeyToItsValueOnce(int length) {
    for (long seed = 0; seed < SEEDS; seed++) {
      LongBenchRecord r = record("multikey", seed, length);
      List<String> ctx = TaskVocabulary.tokens(r.context());
      List<Integer> at = positions(ctx, subject(r));
      assertEquals(1, at.size(), "asked key occurs once");
      int i = at.get(0);
      assertEquals(List.of("key", subject(r), "is", answer(r), "."), ctx.subList(i - 1, i + 4));
      assertEquals(1, positions(ctx, answer(r)).size(), "value occurs once");
      List<Integer> keys = positions(ctx, "key");
      assertTrue(keys.size() >= 2, "at least one distractor pair");
      assertEquals(keys.size(), keys.stream().map(k -> ctx.get(k + 1)).distinct().count(), "distinct keys");
    }
  }

  @Test
  void multikeyHasAboutOnePairPer32Tokens() {
    List<String> ctx = TaskVocabulary.tokens(record("multikey", 3, 1024).context());
    assertEquals(32, positions(ctx, "key").size());
  }

  @ParameterizedTest
  @ValueSource(ints = {24, 128, 1024, 4096})
  void multivalueAnswersTheNthValueOfTheKeyInOrderOfAppearance(int length) {
    for (long seed = 0; seed < SEEDS; seed++) {
      LongBenchRecord r = record("multivalue", seed, length);
      List<String> q = TaskVocabulary.tokens(r.input());
      int n = Integer.parseInt(q.get(q.indexOf("number") + 1));
      String key = subject(r);
      List<String> ctx = TaskVocabulary.tokens(r.context());
      List<String> values = new ArrayList<>();
      for (int i : positions(ctx, key)) {
        assertEquals(List.of("key", key, "has"), ctx.subList(i - 1, i + 2));
        values.add(ctx.get(i + 2));
      }
      assertTrue(values.size() >= 2 && values.size() <= 4, "asked key has 2-4 values: " + values);
      assertTrue(n >= 1 && n <= values.size());
      assertEquals(values.get(n - 1), answer(r));
      assertEquals(1, positions(ctx, answer(r)).size(), "value occurs once");
      assertTrue(positions(ctx, "key").size() > values.size(), "distractor keys present");
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {28, 128, 1024, 4096})
  void vartrackChainsResolveToTheAnswerAndAreDefinedBeforeUse(int length) {
    for (long seed = 0; seed < SEEDS; seed++) {
      LongBenchRecord r = record("vartrack", seed, length);
      Map<String, String> assigned = assignments(r);
      int chain = chainLength(assigned, subject(r), answer(r));
      assertTrue(chain >= 2 && chain <= 4, "chain of " + chain);
      assertTrue(assigned.size() >= 4, "at least two chains");
    }
  }

  @ParameterizedTest
  @CsvSource({"1, 128", "1, 1024", "2, 128", "2, 1024", "3, 128", "3, 1024"})
  void vartrackCurriculumFixesEveryChainAtItsHops(int hops, int length) {
    String task = "vartrack-" + hops + "hop";
    assertEquals(task, TaskRegistry.get(task).name());
    for (long seed = 0; seed < SEEDS; seed++) {
      LongBenchRecord r = record(task, seed, length);
      Map<String, String> assigned = assignments(r);
      assertEquals(hops + 1, chainLength(assigned, subject(r), answer(r)));
      for (String last : assigned.keySet()) {
        if (!assigned.containsValue(last)) { // the end of a chain
          assertEquals(hops + 1, chainLength(assigned, last, null), "chain ending at " + last);
        }
      }
      assertEquals(Math.max(2, length / 128) * (hops + 1), assigned.size(), "chains x variables");
    }
  }

  /** The answer walks the chain: each word is what the previous one (the asked variable first) is assigned. */
  @ParameterizedTest
  @ValueSource(ints = {26, 128, 1024})
  void vartrackPathAnswersTheChainBackToItsRoot(int length) {
    for (long seed = 0; seed < SEEDS; seed++) {
      LongBenchRecord r = record("vartrack-path", seed, length);
      Map<String, String> assigned = assignments(r);
      List<String> path = TaskVocabulary.tokens(answer(r)).stream().filter(w -> !w.equals(",")).toList();
      assertEquals(String.join(" , ", path), answer(r), "commas between the words");
      List<String> question = TaskVocabulary.tokens(r.input());
      String asked = question.get(question.indexOf("var") + 1);
      String from = asked;
      for (String word : path) {
        assertEquals(assigned.get(from), word, "what " + from + " is assigned");
        from = word;
      }
      assertTrue(TaskVocabulary.VALUES.contains(path.get(path.size() - 1)), "ends at the root value " + path);
      assertEquals(path.size(), chainLength(assigned, asked, path.get(path.size() - 1)));
      assertTrue(path.size() >= 2 && path.size() <= 4, "chain of " + path.size());
    }
  }

  /** Inline answers must not give the last question away: several questions get twice as many chains. */
  @ParameterizedTest
  @ValueSource(strings = {"vartrack", "vartrack-1hop"})
  void vartrackAsksAtMostHalfItsChains(String task) {
    TaskInstance inst = TaskRegistry.get(task).instance(new java.util.SplittableRandom(3), 128, 4);
    Map<String, String> assigned = assignments(inst.record(0, "x"));
    long roots = assigned.values().stream().filter(TaskVocabulary.VALUES::contains).count();
    assertEquals(4, inst.queries().size());
    assertEquals(8, roots, "chains");
  }

  /** Every "var X = S ." statement's target and source, checking the statement's shape and order of definition. */
  private static Map<String, String> assignments(LongBenchRecord r) {
    List<String> ctx = TaskVocabulary.tokens(r.context());
    Map<String, String> assigned = new HashMap<>();
    for (int i : positions(ctx, "var")) {
      String target = ctx.get(i + 1);
      String source = ctx.get(i + 3);
      assertEquals("=", ctx.get(i + 2));
      assertEquals(".", ctx.get(i + 4));
      assertFalse(assigned.containsKey(target), target + " assigned twice");
      if (TaskVocabulary.VARIABLES.contains(source)) {
        assertTrue(assigned.containsKey(source), source + " used before it is assigned");
      }
      assigned.put(target, source);
    }
    return assigned;
  }

  /** How many variables the chain ending at {@code variable} has; its root must be {@code root} unless null. */
  private static int chainLength(Map<String, String> assigned, String variable, String root) {
    String v = assigned.get(variable);
    if (root != null) {
      assertTrue(TaskVocabulary.VARIABLES.contains(v), "the asked variable is at least one hop from a value");
    }
    int chain = 1;
    while (TaskVocabulary.VARIABLES.contains(v)) {
      v = assigned.get(v);
      chain++;
    }
    if (root != null) {
      assertEquals(root, v);
    }
    return chain;
  }

  @ParameterizedTest
  @ValueSource(ints = {17, 128, 1024, 4096})
  void countAnswersHowOftenTheMarkerSentenceOccurs(int length) {
    for (long seed = 0; seed < SEEDS; seed++) {
      LongBenchRecord r = record("count", seed, length);
      List<String> q = TaskVocabulary.tokens(r.input()); // how many times does MARKER appear ?
      String marker = q.get(q.indexOf("does") + 1);
      List<String> ctx = TaskVocabulary.tokens(r.context());
      List<Integer> at = positions(ctx, marker);
      for (int i : at) {
        assertEquals(List.of("there", "is", "a", marker, "."), ctx.subList(i - 3, i + 2));
      }
      assertEquals(Integer.parseInt(answer(r)), at.size());
      assertTrue(positions(ctx, "there").size() > at.size(), "another marker is present");
    }
  }

  @Test
  void countAnswersVaryOverTheWholeRangeAtLength() {
    List<String> seen = new ArrayList<>();
    for (long seed = 0; seed < 200; seed++) {
      seen.add(answer(record("count", seed, 256)));
    }
    assertEquals(List.of("1", "2", "3", "4", "5", "6"), seen.stream().distinct().sorted().toList());
    assertTrue(Collections.frequency(seen, "6") > 10);
  }
}
