package io.maskkv.common.text;

import io.maskkv.common.model.ModelFamily;
import java.util.List;

/** The chat templates of LLaDA-8B-Instruct and Dream-v0-Instruct (their tokenizer_config.json). */
public final class ChatTemplate {
  /** One chat turn. */
  public record Message(String role, String content) {}

  private ChatTemplate() {}

  public static String apply(ModelFamily family, List<Message> messages) {
    StringBuilder sb = new StringBuilder();
    if (family == ModelFamily.LLADA) {
      sb.append("<|startoftext|>");
      for (Message m : messages) {
        sb.append("<|start_header_id|>").append(m.role()).append("<|end_header_id|>\n\n")
            .append(m.content().trim()).append("<|eot_id|>");
      }
      return sb.append("<|start_header_id|>assistant<|end_header_id|>\n\n").toString();
    }
    if (messages.isEmpty() || !messages.get(0).role().equals("system")) {
      sb.append("<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n");
    }
    for (Message m : messages) {
      sb.append("<|im_start|>").append(m.role()).append('\n').append(m.content()).append("<|im_end|>\n");
    }
    return sb.append("<|im_start|>assistant\n").toString();
  }
}
