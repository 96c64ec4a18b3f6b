package io.maskkv.server;

import io.maskkv.common.decode.Candidate;
import io.maskkv.common.decode.StepEvent;
import io.maskkv.common.decode.StepListener;
import io.maskkv.common.model.ModelConfig;
import io.maskkv.common.text.IncrementalDecoder;
import io.maskkv.common.text.TextTokenizer;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Prints the answer as its left-to-right prefix grows: a dLLM commits positions in any order, so text is
 * released only once every position before it is decided.
 */
final class StreamingPrinter implements StepListener {
  private final ModelConfig config;
  private final PrintStream out;
  private final List<Integer> decided = new ArrayList<>();
  private final java.util.Map<Integer, Integer> pending = new java.util.HashMap<>();
  private final IncrementalDecoder text;
  private boolean stopped;

  StreamingPrinter(TextTokenizer tokenizer, ModelConfig config, PrintStream out) {
    this.text = new IncrementalDecoder(tokenizer);
    this.config = config;
    this.out = out;
  }

  @Override
  public void onStep(StepEvent e) {
    if (out == null) {
      return;
    }
    for (Candidate c : e.committed()) {
      pending.put(c.position(), c.token());
    }
    while (!stopped && pending.containsKey(decided.size())) {
      int tok = pending.get(decided.size());
      if (config.isStopToken(tok)) {
        stopped = true;
        break;
      }
      decided.add(tok);
    }
    String delta = text.next(decided.stream().mapToInt(Integer::intValue).toArray());
    if (!delta.isEmpty()) {
      out.print(delta);
      out.flush();
    }
  }

  void finish(String answer) {
    if (answer.startsWith(text.streamed())) {
      out.println(text.finish(answer));
    } else {
      out.println();
      out.println(answer);
    }
  }
}
