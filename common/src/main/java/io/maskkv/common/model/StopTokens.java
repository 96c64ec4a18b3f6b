package io.maskkv.common.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeSet;

/**
 * The ids that end an answer besides config.json's eos/eot: what transformers' {@code generate()} stops on
 * ({@code generation_config.json}'s {@code eos_token_id}, an int or a list, see transformers
 * {@code generation/configuration_utils.py}) and the tokenizer's own end-of-turn token ({@code eos_token} of
 * {@code tokenizer_config.json}, which Dream's README cuts the output at), found by its content in
 * {@code added_tokens_decoder}.
 */
public final class StopTokens {
  private static final ObjectMapper JSON = new ObjectMapper();

  private StopTokens() {}

  /** Extra stop ids of a model folder, sorted; empty when neither file is there. */
  public static int[] read(Path modelDir) {
    TreeSet<Integer> ids = new TreeSet<>();
    JsonNode gen = readJson(modelDir.resolve("generation_config.json"));
    if (gen != null) {
      JsonNode eos = gen.get("eos_token_id");
      if (eos != null && eos.isArray()) {
        eos.forEach(n -> ids.add(id(n, "generation_config.json eos_token_id", modelDir)));
      } else if (eos != null && !eos.isNull()) {
        ids.add(id(eos, "generation_config.json eos_token_id", modelDir));
      }
    }
    JsonNode tok = readJson(modelDir.resolve("tokenizer_config.json"));
    if (tok != null) {
      JsonNode eos = tok.get("eos_token");
      String content = eos == null || eos.isNull() ? null : eos.isTextual() ? eos.asText() : eos.path("content").asText(null);
      for (Iterator<Map.Entry<String, JsonNode>> it = tok.path("added_tokens_decoder").fields(); content != null && it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        if (content.equals(e.getValue().path("content").asText())) {
          ids.add(Integer.parseInt(e.getKey()));
        }
      }
    }
    return ids.stream().mapToInt(Integer::intValue).toArray();
  }

  private static int id(JsonNode n, String field, Path dir) {
    if (!n.isIntegralNumber() || !n.canConvertToInt()) {
      throw new ModelFormatException(dir + ": " + field + " must be an integer or a list of integers, got " + n);
    }
    return n.intValue();
  }

  private static JsonNode readJson(Path file) {
    if (!Files.exists(file)) {
      return null;
    }
    try {
      return JSON.readTree(Files.readString(file));
    } catch (IOException e) {
      throw new ModelFormatException(file + ": not valid JSON: " + e.getMessage(), e);
    }
  }
}
