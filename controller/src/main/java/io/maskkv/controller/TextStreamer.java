package io.maskkv.controller;

import io.maskkv.common.decode.Candidate;
import io.maskkv.common.model.ModelConfig;
import io.maskkv.common.text.IncrementalDecoder;
import io.maskkv.common.text.TextTokenizer;
import java.util.Arrays;
import java.util.List;

/**
 * The answer's text as its left-to-right prefix grows. A dLLM commits positions in any order, so text is
 * released only once every position before it is decided, and stops at the first stop token.
 */
final class TextStreamer {
  private final TextTokenizer tokenizer;
  private final ModelConfig config;
  private final int[] response;
  private int decided;
  private boolean stopped;
  private final IncrementalDecoder text;

  TextStreamer(TextTokenizer tokenizer, ModelConfig config, int genLength) {
    this.tokenizer = tokenizer;
    this.text = tokenizer == null ? null : new IncrementalDecoder(tokenizer);
    this.config = config;
    this.response = new int[genLength];
    Arrays.fill(response, -1);
  }

  /** Records a step's commits (response-relative); returns the text appended to the prefix, or "". */
  String commit(List<Candidate> committed) {
    for (Candidate c : committed) {
      response[c.position()] = c.token();
    }
    int before = decided;
    while (!stopped && decided < response.length && response[decided] >= 0) {
      if (config.isStopToken(response[decided])) {
        stopped = true;
        break;
      }
      decided++;
    }
    if (tokenizer == null || decided == before) {
      return "";
    }
    // deltas concatenate exactly to the final text: a character split across tokens waits until it completes
    return text.next(Arrays.copyOf(response, decided));
  }

  /** Text the final answer adds to what was streamed (a held-back tail, normally nothing). */
  String extend(String answer) {
    return text == null ? "" : text.finish(answer);
  }

  int prefixTokens() {
    return decided;
  }

  String token(int id) {
    return tokenizer == null ? "" : tokenizer.decode(new int[] {id});
  }
}
