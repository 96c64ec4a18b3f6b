package io.maskkv.bench.tasks;

import io.maskkv.bench.longbench.LongBenchRecord;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

/**
 * The fixed word list every procedural task draws from, and from which the bundled model's word-level
 * tokenizer is built, so a task prompt never produces an unknown token. The list and its order are part of
 * the model: changing either changes token ids, so append rather than edit.
 *
 * <p>Every entry is either a run of word characters or a run of punctuation, because the tokenizer's
 * {@code Whitespace} pre-tokenizer splits text with {@code \w+|[^\w\s]+}; generators separate every token
 * with one space, so two punctuation tokens never fuse into one.
 */
public final class TaskVocabulary {
  /** The Hugging Face {@code Whitespace} pre-tokenizer's split pattern; Unicode-aware as in the Rust crate. */
  private static final Pattern PRE_TOKEN = Pattern.compile("\\w+|[^\\w\\s]+", Pattern.UNICODE_CHARACTER_CLASS);

  static final List<String> PUNCTUATION = List.of(".", ",", ":", "?", "=");

  /** Words of the fact and question templates; filler never uses those that mark a fact. */
  static final List<String> FRAME = List.of(
      "the", "is", "a", "and", "what", "passkey", "key", "value", "has", "number", "of", "var",
      "how", "many", "times", "does", "appear", "there");

  /** Counts and ordinals, as digit words. */
  static final List<String> NUMBERS = numbered("", 0, 16);
  /** Keys of the key-value tasks; a modest set so a small model sees each one often. */
  static final List<String> KEYS = numbered("k", 0, 64);
  /** Answer values of needle, multikey, multivalue and vartrack. */
  static final List<String> VALUES = numbered("v", 0, 128);
  /** Variable names of vartrack. */
  static final List<String> VARIABLES = numbered("x", 0, 64);
  /** The words whose occurrences the count task asks about; consonant-initial so "a" reads right. */
  static final List<String> MARKERS = List.of(
      "lemon", "melon", "pear", "plum", "grape", "peach", "mango", "cherry",
      "banana", "carrot", "tomato", "potato", "pepper", "radish", "turnip", "cabbage");

  // Filler word classes, combined by FillerText's sentence templates.
  static final List<String> DETERMINERS = List.of(
      "the", "this", "that", "every", "one", "some", "each", "our", "my", "his", "her", "their", "no");
  static final List<String> ADJECTIVES = List.of(
      "old", "young", "quiet", "loud", "small", "large", "dark", "bright", "cold", "warm", "green", "red",
      "blue", "brown", "white", "black", "tall", "short", "soft", "hard", "slow", "fast", "happy", "sad",
      "calm", "busy", "empty", "full", "heavy", "light", "clean", "dirty", "dry", "wet", "early", "late",
      "gentle", "wild", "strange", "simple", "long", "deep", "narrow", "wide", "sharp", "sweet", "bitter",
      "rich", "poor", "proud", "brave", "tired", "hungry", "lonely", "silent", "golden", "wooden", "rough",
      "smooth", "distant", "hidden", "ancient", "modern", "famous");
  static final List<String> NOUNS = List.of(
      "river", "town", "forest", "mountain", "garden", "house", "road", "bridge", "window", "door", "table",
      "chair", "book", "letter", "story", "song", "bird", "dog", "cat", "horse", "fish", "tree", "flower",
      "stone", "cloud", "rain", "wind", "storm", "sun", "moon", "star", "sky", "sea", "lake", "field", "hill",
      "valley", "village", "city", "market", "school", "teacher", "student", "child", "farmer", "doctor",
      "king", "queen", "soldier", "sailor", "boat", "ship", "train", "car", "wheel", "lamp", "candle", "fire",
      "water", "bread", "cheese", "milk", "coffee", "tea", "cup", "plate", "knife", "clock", "bell", "coat",
      "hat", "shoe", "box", "bag", "basket", "rope", "map", "painting", "picture", "mirror", "wall", "roof",
      "floor", "kitchen", "room", "office", "street", "corner", "island", "shore", "beach", "desert",
      "winter", "summer", "morning", "evening", "night", "day", "week", "year", "friend", "stranger",
      "neighbor", "traveler", "artist", "baker", "writer", "singer");
  static final List<String> INTRANSITIVE_VERBS = List.of(
      "sleeps", "waits", "rests", "sings", "runs", "walks", "falls", "rises", "shines", "glows", "moves",
      "turns", "stays", "grows", "fades", "breaks", "returns", "arrives", "leaves", "wanders", "dances",
      "smiles", "laughs", "listens", "travels", "works", "stops", "starts", "sits", "stands", "hides");
  static final List<String> TRANSITIVE_VERBS = List.of(
      "sees", "finds", "holds", "carries", "follows", "watches", "builds", "paints", "opens", "closes",
      "cleans", "fixes", "brings", "takes", "keeps", "visits", "reads", "writes", "covers", "crosses",
      "passes", "fills", "pulls", "pushes", "touches", "greets", "calls", "remembers", "forgets", "helps",
      "meets");
  static final List<String> PREPOSITIONS = List.of(
      "near", "behind", "under", "over", "beside", "across", "through", "around", "inside", "outside",
      "along", "past", "toward", "before", "after", "above", "below", "into", "from", "with", "without",
      "beyond", "by");
  static final List<String> ADVERBS = List.of(
      "slowly", "quickly", "quietly", "softly", "often", "rarely", "always", "never", "again", "today",
      "yesterday", "tomorrow", "later", "soon", "gently", "suddenly", "happily", "sadly", "alone",
      "together", "still", "calmly", "loudly", "here");
  /** Words that only appear as literals in filler templates. */
  static final List<String> FILLER_GLUE = List.of("but");

  private static final List<String> WORDS = buildWords();

  private TaskVocabulary() {}

  /** Every word any task can emit, each once, in a fixed order (the tokenizer's id order). */
  public static List<String> words() {
    return WORDS;
  }

  /** The text the model is given for a record: the context, one space, the question. */
  public static String asPrompt(LongBenchRecord r) {
    return r.context() + " " + r.input();
  }

  /** Number of pre-tokens, which for a word-level tokenizer is the number of tokens. */
  public static int countTokens(String text) {
    Matcher m = PRE_TOKEN.matcher(text);
    int n = 0;
    while (m.find()) {
      n++;
    }
    return n;
  }

  /** The pre-tokens of a text, as the tokenizer splits it. */
  public static List<String> tokens(String text) {
    Matcher m = PRE_TOKEN.matcher(text);
    List<String> out = new ArrayList<>();
    while (m.find()) {
      out.add(m.group());
    }
    return out;
  }

  private static List<String> buildWords() {
    // Shared words ("the", "is") appear in several lists; the first list that names a word fixes its place.
    LinkedHashSet<String> all = new LinkedHashSet<>();
    for (List<String> part : List.of(PUNCTUATION, FRAME, NUMBERS, KEYS, VALUES, VARIABLES, MARKERS,
        DETERMINERS, ADJECTIVES, NOUNS, INTRANSITIVE_VERBS, TRANSITIVE_VERBS, PREPOSITIONS, ADVERBS,
        FILLER_GLUE)) {
      all.addAll(part);
    }
    return Collections.unmodifiableList(new ArrayList<>(all));
  }

  private static List<String> numbered(String prefix, int from, int to) {
    return IntStream.range(from, to).mapToObj(i -> prefix + i).toList();
  }
}
