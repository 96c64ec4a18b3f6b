package io.maskkv.worker.text;

import io.maskkv.common.model.ModelFamily;
import io.maskkv.common.model.ModelFormatException;
import io.maskkv.common.text.ChatTemplate;
import io.maskkv.common.text.TextTokenizer;
import io.maskkv.worker.Fixtures;
import io.maskkv.worker.TestModels;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class TextTokenizerTest {
  @Test
  void referenceFixtureTokenizerEncodesWordsAndSpecialTokens() {
    try (TextTokenizer t = TextTokenizer.load(Fixtures.dir("llada-tiny"))) {
      assertArrayEquals(new int[] {508, 3, 17, 511, 509}, t.encode("<|startoftext|>w3 w17<|mdm_mask|><|endoftext|>"));
      assertEquals("w3 w17", t.decode(new int[] {3, 17, 509}));
    }
  }

  @Test
  void makeModelTokenizerRoundTripsTheChatTemplate() {
    try (TextTokenizer t = TextTokenizer.load(TestModels.model(ModelFamily.LLADA, 1))) {
      String text = ChatTemplate.apply(ModelFamily.LLADA, List.of(new ChatTemplate.Message("user", "t5 t7")));
      int[] ids = t.encode(text);
      // <|startoftext|> <|start_header_id|> user(unk) <|end_header_id|> t5 t7 <|eot_id|> ... assistant header
      assertEquals(10, ids.length);
      assertEquals(255 - 3, ids[0]); // BOS sits before EOS, EOT and the mask at the end of the vocabulary
      assertEquals("t5 t7", t.decode(new int[] {ids[4], ids[5]}));
    }
  }

  @Test
  void missingTokenizerIsAClearError(@TempDir Path dir) {
    ModelFormatException e = assertThrows(ModelFormatException.class, () -> TextTokenizer.load(dir));
    assertEquals(true, e.getMessage().contains("tokenizer.json"));
  }
}
