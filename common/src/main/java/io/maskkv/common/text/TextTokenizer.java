package io.maskkv.common.text;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import io.maskkv.common.model.ModelFormatException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** A model folder's {@code tokenizer.json} through DJL's Hugging Face tokenizers (the Rust crate). */
public final class TextTokenizer implements AutoCloseable {
  private final HuggingFaceTokenizer tokenizer;
  private final String unknownToken;

  private TextTokenizer(HuggingFaceTokenizer tokenizer, String unknownToken) {
    this.tokenizer = tokenizer;
    this.unknownToken = unknownToken;
  }

  /** {@code model.unk_token} of tokenizer.json, or null (byte-level BPE has none). */
  private static String unknownToken(Path file) {
    try {
      com.fasterxml.jackson.databind.JsonNode unk = new com.fasterxml.jackson.databind.ObjectMapper()
          .readTree(file.toFile()).path("model").path("unk_token");
      return unk.isTextual() ? unk.asText() : null;
    } catch (IOException e) {
      return null;
    }
  }

  public static TextTokenizer load(Path modelDir) {
    Path file = modelDir.resolve("tokenizer.json");
    if (!Files.exists(file)) {
      throw new ModelFormatException(file + ": not found (text prompts need tokenizer.json; pass token ids instead)");
    }
    try {
      // special tokens are written by the chat template, never added by the tokenizer (see ChatTemplate)
      return new TextTokenizer(HuggingFaceTokenizer.newInstance(file,
          Map.of("addSpecialTokens", "false", "modelMaxLength", "1000000", "truncation", "false")),
          unknownToken(file));
    } catch (IOException | RuntimeException e) {
      throw new ModelFormatException(file + ": cannot load: " + e.getMessage(), e);
    }
  }

  public int[] encode(String text) {
    Encoding enc = tokenizer.encode(text, false, false);
    long[] ids = enc.getIds();
    int[] out = new int[ids.length];
    for (int i = 0; i < ids.length; i++) {
      out[i] = Math.toIntExact(ids[i]);
    }
    return out;
  }

  /**
   * The words of {@code text} the tokenizer can only map to its unknown token (a word-level vocabulary such as the
   * bundled model's): the model reads each as {@code <|unk|>}, which a user should hear about. Byte-level
   * tokenizers have no unknown token and return none.
   */
  public java.util.List<String> unknownWords(String text) {
    Encoding enc = tokenizer.encode(text, false, false);
    String[] tokens = enc.getTokens();
    ai.djl.huggingface.tokenizers.jni.CharSpan[] spans = enc.getCharTokenSpans();
    java.util.List<String> out = new java.util.ArrayList<>();
    for (int i = 0; i < tokens.length; i++) {
      if (unknownToken != null && unknownToken.equals(tokens[i]) && spans != null && i < spans.length
          && spans[i] != null && !text.startsWith(unknownToken, spans[i].getStart())) {
        out.add(text.substring(spans[i].getStart(), spans[i].getEnd()));
      }
    }
    return out;
  }

  public String decode(int[] ids) {
    long[] l = new long[ids.length];
    for (int i = 0; i < ids.length; i++) {
      l[i] = ids[i];
    }
    return tokenizer.decode(l, true);
  }

  @Override
  public void close() {
    tokenizer.close();
  }
}
