package io.maskkv.common.budget;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The offline per-layer importance profile I^(l) (MaskKV eq. 8), stored as {@code maskkv_profile.json} in the
 * model folder. A model without one gets a uniform profile and a warning.
 */
public final class LayerProfile {
  public static final String FILE = "maskkv_profile.json";
  private static final Logger LOG = LoggerFactory.getLogger(LayerProfile.class);
  private static final java.util.Set<Path> WARNED = java.util.concurrent.ConcurrentHashMap.newKeySet();

  private LayerProfile() {}

  public static double[] read(Path modelDir, int layers) {
    Path file = modelDir == null ? null : modelDir.resolve(FILE);
    if (file == null || !Files.exists(file)) {
      if (WARNED.add(modelDir == null ? Path.of("") : modelDir.toAbsolutePath())) { // once per model, not per request
        LOG.warn("{}: no layer-importance profile; MaskKV falls back to a uniform profile (run ./maskkv calibrate)",
            modelDir);
      }
      return uniform(layers);
    }
    try {
      JsonNode imp = new ObjectMapper().readTree(Files.readString(file)).get("importance");
      if (imp == null || !imp.isArray() || imp.size() != layers) {
        throw new IllegalArgumentException(file + ": 'importance' must be an array of " + layers + " numbers");
      }
      double[] out = new double[layers];
      for (int i = 0; i < layers; i++) {
        out[i] = imp.get(i).asDouble();
      }
      return out;
    } catch (IOException e) {
      throw new IllegalArgumentException(file + ": cannot read: " + e.getMessage(), e);
    }
  }

  public static double[] uniform(int layers) {
    double[] p = new double[layers];
    Arrays.fill(p, 1.0);
    return p;
  }

  public static void write(Path file, double[] importance, int samples, String data) throws IOException {
    ObjectMapper json = new ObjectMapper();
    ObjectNode root = json.createObjectNode();
    root.put("layers", importance.length);
    root.put("samples", samples);
    root.put("data", data);
    root.put("definition", "1 - mean cos(h_in, h_in + Attn(norm(h_in))) over all tokens at the first step");
    var arr = root.putArray("importance");
    for (double v : importance) {
      arr.add(v);
    }
    Files.writeString(file, json.writerWithDefaultPrettyPrinter().writeValueAsString(root));
  }
}
