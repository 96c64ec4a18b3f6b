package io.maskkv.common.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JinjaChatTemplateTest {
  /** LLaDA-8B-Instruct's chat_template (GSAI-ML/LLaDA-8B-Instruct tokenizer_config.json): bos first, content trimmed. */
  static final String LLADA = "{% set loop_messages = messages %}{% for message in loop_messages %}"
      + "{% set content = '<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n'+ message['content'] | trim"
      + " + '<|eot_id|>' %}{% if loop.index0 == 0 %}{% set content = bos_token + content %}{% endif %}"
      + "{{ content }}{% endfor %}{{ '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}";

  @Test
  void lladaTemplateMatchesTheBuiltInOne() throws Exception {
    String config = new ObjectMapper().writeValueAsString(Map.of("chat_template", LLADA,
        "bos_token", Map.of("__type", "AddedToken", "content", "<|startoftext|>")));
    JinjaChatTemplate t = JinjaChatTemplate.fromConfig(new ObjectMapper().readTree(config), "test");
    List<ChatTemplate.Message> chat = List.of(new ChatTemplate.Message("system", "be kind"),
        new ChatTemplate.Message("user", "  Lily can run \n"));
    assertEquals(ChatTemplate.apply(io.maskkv.common.model.ModelFamily.LLADA, chat), t.render(chat));
  }

  @Test
  void raiseExceptionRefusesTheConversation() {
    JinjaChatTemplate t = new JinjaChatTemplate(
        "{% if messages[0]['role'] != 'user' %}{{ raise_exception('first turn must be the user') }}{% endif %}x",
        Map.of());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> t.render(List.of(new ChatTemplate.Message("assistant", "hi"))));
    assertEquals(true, e.getMessage().contains("first turn must be the user"), e.getMessage());
  }
}
