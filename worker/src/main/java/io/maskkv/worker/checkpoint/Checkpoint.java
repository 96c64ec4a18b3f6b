package io.maskkv.worker.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.maskkv.common.model.ModelConfig;
import io.maskkv.common.model.ModelConfigJson;
import io.maskkv.common.model.ModelFormatException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A Hugging Face model folder: {@code config.json} plus {@code model.safetensors} or a sharded
 * {@code model.safetensors.index.json}. Headers are read eagerly; tensor data is read on demand.
 */
public final class Checkpoint {
  private final Path dir;
  private final ModelConfig config;
  private final Map<String, TensorInfo> tensors;

  private Checkpoint(Path dir, ModelConfig config, Map<String, TensorInfo> tensors) {
    this.dir = dir;
    this.config = config;
    this.tensors = tensors;
  }

  public static Checkpoint open(Path dir) {
    if (!Files.isDirectory(dir)) {
      throw new ModelFormatException(dir + ": model folder does not exist");
    }
    ModelConfig config = ModelConfigJson.read(dir);
    Path single = dir.resolve("model.safetensors");
    Path index = dir.resolve("model.safetensors.index.json");
    Map<String, TensorInfo> tensors;
    if (Files.exists(index)) {
      tensors = readSharded(dir, index);
    } else if (Files.exists(single)) {
      tensors = new LinkedHashMap<>(SafetensorsFile.open(single).tensors());
    } else {
      throw new ModelFormatException(dir + ": neither model.safetensors nor model.safetensors.index.json exists");
    }
    return new Checkpoint(dir, config, tensors);
  }

  private static Map<String, TensorInfo> readSharded(Path dir, Path index) {
    JsonNode weightMap;
    try {
      weightMap = new ObjectMapper().readTree(Files.readString(index)).get("weight_map");
    } catch (IOException e) {
      throw new ModelFormatException(index + ": not valid JSON: " + e.getMessage(), e);
    }
    if (weightMap == null || !weightMap.isObject()) {
      throw new ModelFormatException(index + ": missing object 'weight_map'");
    }
    Map<String, SafetensorsFile> shards = new HashMap<>();
    Map<String, TensorInfo> tensors = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = weightMap.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String shardName = e.getValue().asText();
      Path shardPath = dir.resolve(shardName);
      if (!Files.exists(shardPath)) {
        throw new ModelFormatException(index + ": tensor " + e.getKey() + " maps to missing shard " + shardPath);
      }
      SafetensorsFile shard = shards.computeIfAbsent(shardName, n -> SafetensorsFile.open(shardPath));
      TensorInfo t = shard.tensors().get(e.getKey());
      if (t == null) {
        throw new ModelFormatException(shardPath + ": tensor " + e.getKey() + " is listed in " + index.getFileName()
            + " but not present in the shard");
      }
      tensors.put(e.getKey(), t);
    }
    return tensors;
  }

  public Path dir() {
    return dir;
  }

  public ModelConfig config() {
    return config;
  }

  public Map<String, TensorInfo> tensors() {
    return tensors;
  }

  /** The tensor of that name, checked against the shape the architecture requires. */
  public TensorInfo require(String name, long... shape) {
    TensorInfo t = tensors.get(name);
    if (t == null) {
      throw new ModelFormatException(dir + ": missing tensor " + name);
    }
    if (!Arrays.equals(t.shape(), shape)) {
      throw new ModelFormatException(t.file() + ": tensor " + name + ": shape " + t.shapeString() + ", expected "
          + Arrays.toString(shape));
    }
    return t;
  }
}
