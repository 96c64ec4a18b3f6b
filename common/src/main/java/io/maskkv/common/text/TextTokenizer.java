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

  private TextTokenizer(HuggingFaceTokenizer tokenizer) {
    this.tokenizer = tokenizer;
  }

  public static TextTokenizer load(Path modelDir) {
    Path file = modelDir.resolve("tokenizer.json");
    if (!Files.exists(file)) {
      throw new ModelFormatException(file + ": not found (text prompts need tokenizer.json; pass token ids instead)");
    }
    try {
      // special tokens are written by the chat template, never added by the tokenizer (see ChatTemplate)
      return new TextTokenizer(HuggingFaceTokenizer.newInstance(file,
          Map.of("addSpecialTokens", "false", "modelMaxLength", "1000000", "truncation", "false")));
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
