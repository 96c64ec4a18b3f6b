package io.maskkv.common.text;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a Hugging Face {@code tokenizer.json} with a word-level model (whitespace and punctuation split),
 * the format of the reference fixtures; it loads with DJL's HuggingFaceTokenizer like any HF tokenizer.
 */
public final class WordLevelTokenizerJson {
  private WordLevelTokenizerJson() {}

  /** The id assigned to each token: words first, then the specials at the end of the vocabulary. */
  public static Map<String, Integer> vocabulary(List<String> words, SpecialTokens specials, int vocabSize) {
    List<String> tail = specials.inIdOrder();
    if (words.size() + tail.size() > vocabSize) {
      throw new IllegalArgumentException("vocabulary of " + vocabSize + " cannot hold " + words.size()
          + " words and " + tail.size() + " special tokens");
    }
    Map<String, Integer> vocab = new LinkedHashMap<>();
    for (String w : words) {
      if (vocab.putIfAbsent(w, vocab.size()) != null) {
        throw new IllegalArgumentException("duplicate word in vocabulary: " + w);
      }
    }
    // Filler words keep ids dense so that every id below the specials decodes to something.
    for (int i = 0; vocab.size() < vocabSize - tail.size(); i++) {
      vocab.putIfAbsent("w" + i, vocab.size());
    }
    for (String s : tail) {
      vocab.put(s, vocab.size());
    }
    return vocab;
  }

  public static void write(Path file, Map<String, Integer> vocab, SpecialTokens specials) throws IOException {
    ObjectMapper json = new ObjectMapper();
    ObjectNode root = json.createObjectNode();
    root.put("version", "1.0");
    root.putNull("truncation");
    root.putNull("padding");
    ArrayNode added = root.putArray("added_tokens");
    for (String s : specials.inIdOrder()) {
      ObjectNode t = added.addObject();
      t.put("id", vocab.get(s));
      t.put("content", s);
      t.put("single_word", false);
      t.put("lstrip", false);
      t.put("rstrip", false);
      t.put("normalized", false);
      t.put("special", true);
    }
    root.putNull("normalizer");
    root.putObject("pre_tokenizer").put("type", "Whitespace");
    root.putNull("post_processor");
    root.putNull("decoder");
    ObjectNode model = root.putObject("model");
    model.put("type", "WordLevel");
    ObjectNode v = model.putObject("vocab");
    vocab.forEach(v::put);
    model.put("unk_token", specials.unk());
    Files.createDirectories(file.getParent());
    Files.writeString(file, json.writeValueAsString(root));
  }
}
