package io.maskkv.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.maskkv.common.model.ModelConfig;
import io.maskkv.common.model.ModelFamily;
import io.maskkv.proto.v1.CachePolicy;
import io.maskkv.proto.v1.ChatMessage;
import io.maskkv.proto.v1.GenerateEvent;
import io.maskkv.proto.v1.GenerateRequest;
import io.maskkv.proto.v1.SamplerOptions;
import io.maskkv.proto.v1.Summary;
import io.maskkv.worker.TestModels;
import io.maskkv.worker.checkpoint.RandomCheckpoint;
import io.maskkv.worker.checkpoint.TensorDType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A random Dream-format checkpoint with Qwen2.5's real tokenizer.json and tokenizer_config.json (as Dream-v0 has
 * them: a 151,936+ vocabulary, mask 151666, EOS 151643, no eot_token_id in config.json, stop ids in
 * generation_config.json) served by the embedded controller: chat requests end to end over gRPC.
 */
class RealTokenizerServingTest {
  private static final Path QWEN = Path.of(System.getProperty("maskkv.fixtures", "../fixtures"), "qwen2_5");
  private static final int IM_END = 151645;
  @TempDir
  static Path dir;
  private static TestCluster cluster;

  @BeforeAll
  static void start() throws Exception {
    Path model = dir.resolve("dream-qwen-tok");
    int vocab = 151936;
    ModelConfig c = new ModelConfig(ModelFamily.DREAM, 32, 2, 4, 2, 64, vocab, 1e6, 1e-6, 151666, 151643, -1,
        151643, 512);
    RandomCheckpoint.write(c, model, 5, TensorDType.F32, 1, TestModels.words());
    for (String f : List.of("tokenizer.json", "tokenizer_config.json")) {
      Files.copy(QWEN.resolve(f), model.resolve(f), StandardCopyOption.REPLACE_EXISTING);
    }
    // Qwen2.5-Instruct's generation_config.json lists both ends: <|endoftext|> and <|im_end|>
    Files.writeString(model.resolve("generation_config.json"), "{\"eos_token_id\": [151643, 151645]}");
    cluster = new TestCluster().controller(Map.of("maskkv.embedded.enabled", true,
        "maskkv.embedded.model", model.toString()));
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  private static GenerateRequest chat(String user, long seed) {
    return GenerateRequest.newBuilder()
        .addMessages(ChatMessage.newBuilder().setRole("system").setContent("Be brief."))
        .addMessages(ChatMessage.newBuilder().setRole("user").setContent(user))
        .setGenLength(12).setSteps(12).setEarlyStop(false)
        .setSampler(SamplerOptions.newBuilder().setTemperature(1.0).setSeed(seed))
        .setCache(CachePolicy.newBuilder().setMethod("prefix")).build();
  }

  @Test
  void chatPromptIsTheTemplatesRenderingAndDeltasConcatenateToTheFinalTextOverHundredGenerations() {
    int nonAscii = 0;
    for (int s = 0; s < 100; s++) {
      List<GenerateEvent> events = cluster.generate(chat("What is 2+2? Ünïcödé 日本語 🙂", s));
      Summary sum = TestCluster.summary(events).getSummary();
      // the 33 ids transformers.js's apply_chat_template gives for these messages (QwenTokenizerTest pins them)
      assertEquals(33, sum.getPromptTokens());
      StringBuilder concat = new StringBuilder();
      for (GenerateEvent e : events) {
        if (e.hasText()) {
          concat.append(e.getText().getText());
        }
      }
      assertEquals(sum.getText(), concat.toString(), "seed " + s + ", answer ids " + sum.getAnswerIdsList());
      assertFalse(sum.getAnswerIdsList().contains(IM_END), "generation_config.json's <|im_end|> must stop the answer");
      if (sum.getText().chars().anyMatch(ch -> ch > 127)) {
        nonAscii++;
      }
    }
    assertTrue(nonAscii > 10, "random answers over a 152k vocabulary should often leave ASCII: " + nonAscii);
  }
}
