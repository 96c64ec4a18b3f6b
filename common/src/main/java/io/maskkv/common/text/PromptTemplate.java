package io.maskkv.common.text;

import java.util.List;

/** Turns chat messages into the prompt text a model was trained on, ending with the assistant's turn opening. */
public interface PromptTemplate {
  String render(List<ChatTemplate.Message> messages);
}
