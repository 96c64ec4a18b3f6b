package io.maskkv.common.text;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.maskkv.common.model.ModelFamily;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChatTemplateTest {
  /** LLaDA-8B-Instruct's chat template (its tokenizer_config.json) around one user turn, content trimmed. */
  @Test
  void lladaTemplateMatchesTheReference() {
    assertEquals("<|startoftext|><|start_header_id|>user<|end_header_id|>\n\nLily can run<|eot_id|>"
            + "<|start_header_id|>assistant<|end_header_id|>\n\n",
        ChatTemplate.apply(ModelFamily.LLADA, List.of(new ChatTemplate.Message("user", "  Lily can run \n"))));
  }

  /** §4.2: Qwen2.5 style with the default system message when none is given. */
  @Test
  void dreamTemplateAddsTheDefaultSystemMessage() {
    assertEquals("<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\nhi<|im_end|>\n"
            + "<|im_start|>assistant\n",
        ChatTemplate.apply(ModelFamily.DREAM, List.of(new ChatTemplate.Message("user", "hi"))));
    assertEquals("<|im_start|>system\nbe brief<|im_end|>\n<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n",
        ChatTemplate.apply(ModelFamily.DREAM, List.of(new ChatTemplate.Message("system", "be brief"),
            new ChatTemplate.Message("user", "hi"))));
  }
}
