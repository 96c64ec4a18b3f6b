package io.maskkv.common.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * Reads and writes Hugging Face {@code config.json} with the real field names of each family
 * (LLaDA: d_model, n_layers, ...; Dream/Qwen2: hidden_size, num_hidden_layers, ...).
 */
public final class ModelConfigJson {
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private ModelConfigJson() {}

  public static ModelConfig read(Path modelDir) {
    Path file = modelDir.resolve("config.json");
    JsonNode root;
    try {
      root = JSON.readTree(Files.readString(file));
    } catch (NoSuchFileException e) {
      throw new ModelFormatException(file + ": not found (a model folder needs config.json)");
    } catch (IOException e) {
      throw new ModelFormatException(file + ": not valid JSON: " + e.getMessage(), e);
    }
    if (root == null || !root.isObject()) {
      throw new ModelFormatException(file + ": expected a JSON object");
    }
    return parse(root, file.toString()).withStopIds(StopTokens.read(modelDir));
  }

  static ModelConfig parse(JsonNode root, String where) {
    String type = root.path("model_type").asText("");
    ModelFamily family;
    if (type.equalsIgnoreCase("llada") || root.has("d_model")) {
      family = ModelFamily.LLADA;
    } else if (type.equalsIgnoreCase("dream") || type.equalsIgnoreCase("qwen2") || root.has("hidden_size")) {
      family = ModelFamily.DREAM;
    } else {
      throw new ModelFormatException(where + ": cannot tell the model family (model_type '" + type + "')");
    }
    Fields f = new Fields(root, where);
    if (family == ModelFamily.LLADA) {
      int heads = f.integer("n_heads");
      return new ModelConfig(family,
          f.integer("d_model"), f.integer("n_layers"), heads,
          root.hasNonNull("n_kv_heads") ? f.integer("n_kv_heads") : heads,
          f.integer("mlp_hidden_size"),
          root.hasNonNull("embedding_size") ? f.integer("embedding_size") : f.integer("vocab_size"),
          f.number("rope_theta"), f.number("rms_norm_eps"),
          f.integer("mask_token_id"), f.integer("eos_token_id"),
          root.path("eot_token_id").asInt(eotFor(family, root)),
          root.path("bos_token_id").asInt(-1),
          root.path("max_sequence_length").asInt(4096));
    }
    return new ModelConfig(family,
        f.integer("hidden_size"), f.integer("num_hidden_layers"), f.integer("num_attention_heads"),
        f.integer("num_key_value_heads"), f.integer("intermediate_size"), f.integer("vocab_size"),
        f.number("rope_theta"), f.number("rms_norm_eps"),
        f.integer("mask_token_id"), f.integer("eos_token_id"),
        root.path("eot_token_id").asInt(-1),
        root.path("bos_token_id").asInt(-1),
        root.path("max_position_embeddings").asInt(131072));
  }

  /** LLaDA-8B's EOT (126348) is not in its config; our own models write eot_token_id, real ones rely on the vocab size. */
  private static int eotFor(ModelFamily family, JsonNode root) {
    return root.path("vocab_size").asInt() == 126464 ? 126348 : -1;
  }

  public static void write(ModelConfig c, Path modelDir) throws IOException {
    Files.createDirectories(modelDir);
    Files.writeString(modelDir.resolve("config.json"), JSON.writeValueAsString(toJson(c)));
  }

  static ObjectNode toJson(ModelConfig c) {
    ObjectNode o = JSON.createObjectNode();
    if (c.family() == ModelFamily.LLADA) {
      o.putArray("architectures").add("LLaDAModelLM");
      o.put("model_type", "llada");
      o.put("d_model", c.hiddenSize());
      o.put("n_layers", c.layers());
      o.put("n_heads", c.heads());
      o.put("n_kv_heads", c.kvHeads());
      o.put("mlp_hidden_size", c.intermediateSize());
      o.put("mlp_ratio", 4);
      o.put("vocab_size", c.vocabSize());
      o.put("embedding_size", c.vocabSize());
      o.put("rope", true);
      o.put("rope_theta", c.ropeTheta());
      o.put("rope_full_precision", true);
      o.put("rms_norm_eps", c.rmsNormEps());
      o.put("layer_norm_type", "rms");
      o.put("layer_norm_with_affine", true);
      o.put("max_sequence_length", c.maxPositions());
      o.put("activation_type", "silu");
      o.put("block_type", "llama");
      o.put("block_group_size", 1);
      for (String off : List.of("include_bias", "include_qkv_bias", "bias_for_layer_norm", "weight_tying",
          "scale_logits", "input_emb_norm", "alibi", "attention_layer_norm", "flash_attention", "use_cache")) {
        o.put(off, false);
      }
      o.put("mask_token_id", c.maskTokenId());
      o.put("eos_token_id", c.eosTokenId());
      o.put("pad_token_id", c.eosTokenId());
      o.put("bos_token_id", c.bosTokenId());
      o.put("eot_token_id", c.eotTokenId());
      o.put("precision", "amp_bf16");
      o.put("transformers_version", "4.46.3");
    } else {
      o.putArray("architectures").add("DreamModel");
      o.put("model_type", "Dream");
      o.put("hidden_size", c.hiddenSize());
      o.put("intermediate_size", c.intermediateSize());
      o.put("num_hidden_layers", c.layers());
      o.put("num_attention_heads", c.heads());
      o.put("num_key_value_heads", c.kvHeads());
      o.put("vocab_size", c.vocabSize());
      o.put("rope_theta", c.ropeTheta());
      o.putNull("rope_scaling");
      o.put("rms_norm_eps", c.rmsNormEps());
      o.put("hidden_act", "silu");
      o.put("max_position_embeddings", c.maxPositions());
      o.put("use_sliding_window", false);
      o.putNull("sliding_window");
      o.put("tie_word_embeddings", false);
      o.put("mask_token_id", c.maskTokenId());
      o.put("pad_token_id", c.eosTokenId());
      o.put("bos_token_id", c.bosTokenId());
      o.put("eos_token_id", c.eosTokenId());
      o.put("eot_token_id", c.eotTokenId());
      o.put("torch_dtype", "float32");
      o.put("transformers_version", "4.46.2");
    }
    return o;
  }

  /** Field access that names the missing or mistyped field and the file. */
  private record Fields(JsonNode root, String where) {
    int integer(String name) {
      JsonNode n = root.get(name);
      if (n == null || n.isNull()) {
        throw new ModelFormatException(where + ": missing field '" + name + "'");
      }
      if (!n.canConvertToInt() || !n.isIntegralNumber()) {
        throw new ModelFormatException(where + ": field '" + name + "' must be an integer, got " + n);
      }
      return n.intValue();
    }

    double number(String name) {
      JsonNode n = root.get(name);
      if (n == null || n.isNull()) {
        throw new ModelFormatException(where + ": missing field '" + name + "'");
      }
      if (!n.isNumber()) {
        throw new ModelFormatException(where + ": field '" + name + "' must be a number, got " + n);
      }
      return n.doubleValue();
    }
  }
}
