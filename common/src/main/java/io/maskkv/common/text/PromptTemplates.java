package io.maskkv.common.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.maskkv.common.model.ModelFamily;
import io.maskkv.common.model.ModelFormatException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Chooses a model folder's chat template: its own (tokenizer_config.json) first, the family's built-in one else. */
public final class PromptTemplates {
  public static final String CONFIG_FILE = "tokenizer_config.json";

  private PromptTemplates() {}

  public static PromptTemplate load(Path modelDir, ModelFamily family) {
    Path file = modelDir.resolve(CONFIG_FILE);
    if (Files.exists(file)) {
      JsonNode root;
      try {
        root = new ObjectMapper().readTree(Files.readString(file));
      } catch (IOException e) {
        throw new ModelFormatException(file + ": not valid JSON: " + e.getMessage(), e);
      }
      JinjaChatTemplate own = JinjaChatTemplate.fromConfig(root, file.toString());
      if (own != null) {
        return own;
      }
    }
    return builtIn(family);
  }

  /** Whether the folder carries its own chat template. */
  public static boolean hasOwn(Path modelDir) {
    return Files.exists(modelDir.resolve(CONFIG_FILE)) && !(load(modelDir, null) instanceof BuiltIn);
  }

  /** The hard-coded template of a family, for folders that carry none (our own small models). */
  public static PromptTemplate builtIn(ModelFamily family) {
    return new BuiltIn(family);
  }

  private record BuiltIn(ModelFamily family) implements PromptTemplate {
    @Override
    public String render(java.util.List<ChatTemplate.Message> messages) {
      return ChatTemplate.apply(family, messages);
    }
  }
}
