package io.maskkv.common.text;

/**
 * Text deltas of a growing token prefix whose concatenation is exactly the decoded whole. Byte-level BPE
 * (LLaDA's and Qwen2.5's tokenizers) splits a multi-byte character over several tokens, and decoding a prefix
 * that ends inside such a character yields U+FFFD in its place (the tokenizers crate's ByteLevel decoder uses
 * {@code String::from_utf8_lossy}); the FFFD then turns into the real character once the last byte arrives. So
 * a delta is released only up to the last complete character: trailing U+FFFD is held back until a later
 * prefix resolves it (transformers' {@code TextIteratorStreamer} and vLLM's {@code detokenize_incrementally}
 * hold back the same way). An FFFD that stays (invalid bytes) is released once text follows it, or by
 * {@link #finish}.
 *
 * <p>This relies on decoding being stable on the released part (decode(prefix) minus held-back FFFD is a
 * prefix of decode(longer prefix)), which holds for byte-level BPE, word-level and Metaspace decoders. A
 * decoder that rewrites earlier text (WordPiece with {@code cleanup}) releases nothing until it is stable again.
 */
public final class IncrementalDecoder {
  private static final char REPLACEMENT = '\uFFFD';
  private final TextTokenizer tokenizer;
  private String streamed = "";

  public IncrementalDecoder(TextTokenizer tokenizer) {
    this.tokenizer = tokenizer;
  }

  /** The text the prefix adds to what was released so far, or "" while it only adds an incomplete character. */
  public String next(int[] prefix) {
    String text = tokenizer.decode(prefix);
    int end = text.length();
    while (end > 0 && text.charAt(end - 1) == REPLACEMENT) {
      end--;
    }
    return release(text.substring(0, end));
  }

  /** The rest of the final text (held-back characters included); "" if it does not extend what was released. */
  public String finish(String finalText) {
    return release(finalText);
  }

  /** Everything released so far. */
  public String streamed() {
    return streamed;
  }

  private String release(String text) {
    if (text.length() <= streamed.length() || !text.startsWith(streamed)) {
      return "";
    }
    String delta = text.substring(streamed.length());
    streamed = text;
    return delta;
  }
}
