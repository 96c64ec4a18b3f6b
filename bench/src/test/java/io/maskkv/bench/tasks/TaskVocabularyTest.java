package io.maskkv.bench.tasks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TaskVocabularyTest {
  @Test
  void wordsAreDistinctModestAndInAFixedOrder() {
    List<String> words = TaskVocabulary.words();
    assertEquals(words.size(), new HashSet<>(words).size(), "duplicate words");
    assertTrue(words.size() <= 900, "vocabulary of " + words.size());
    // The order is the tokenizer's id order; pin its shape so an accidental edit shows up here.
    assertEquals(605, words.size());
    assertEquals(List.of(".", ",", ":", "?", "=", "the"), words.subList(0, 6));
    assertEquals("but", words.get(words.size() - 1));
    assertEquals(words, TaskVocabulary.words());
  }

  @Test
  void everyWordIsExactlyOnePreToken() {
    for (String w : TaskVocabulary.words()) {
      assertEquals(List.of(w), TaskVocabulary.tokens(w), "word '" + w + "' would not stay one token");
    }
  }

  @Test
  void fillerNeverUsesAWordThatMarksAFact() {
    Set<String> filler = new HashSet<>();
    for (List<String> part : List.of(TaskVocabulary.DETERMINERS, TaskVocabulary.ADJECTIVES, TaskVocabulary.NOUNS,
        TaskVocabulary.INTRANSITIVE_VERBS, TaskVocabulary.TRANSITIVE_VERBS, TaskVocabulary.PREPOSITIONS,
        TaskVocabulary.ADVERBS, TaskVocabulary.FILLER_GLUE)) {
      filler.addAll(part);
    }
    for (List<String> marking : List.of(
        List.of("passkey", "key", "value", "has", "number", "of", "var", "there", "what", "how", "times"),
        TaskVocabulary.KEYS, TaskVocabulary.VALUES, TaskVocabulary.VARIABLES, TaskVocabulary.MARKERS,
        TaskVocabulary.NUMBERS)) {
      for (String w : marking) {
        assertTrue(!filler.contains(w), "filler contains fact word " + w);
      }
    }
  }

  @Test
  void countsTokensAsTheWhitespacePreTokenizerSplitsThem() {
    assertEquals(5, TaskVocabulary.countTokens("what is the passkey ?"));
    assertEquals(List.of("k17", "=", "v3"), TaskVocabulary.tokens("k17=v3"));
    // punctuation runs stay together: "?." is one pre-token, which is why generators space every token
    assertEquals(List.of("a", "?.", "b"), TaskVocabulary.tokens("a?. b"));
    assertEquals(0, TaskVocabulary.countTokens("  \n "));
  }
}
