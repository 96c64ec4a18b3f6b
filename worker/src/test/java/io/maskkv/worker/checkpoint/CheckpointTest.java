package io.maskkv.worker.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import io.maskkv.common.model.ModelFamily;
import io.maskkv.common.model.ModelFormatException;
import io.maskkv.worker.TestModels;
import io.maskkv.worker.engine.Forward;
import io.maskkv.worker.engine.Transformer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class CheckpointTest {
  @TempDir
  Path tmp;

  @ParameterizedTest
  @EnumSource(ModelFamily.class)
  void makeModelCheckpointsLoadWithTheArchitecturesShapes(ModelFamily family) {
    Checkpoint c = Checkpoint.open(TestModels.model(family, 2));
    TensorNames n = TensorNames.of(family);
    int qd = c.config().heads() * c.config().headDim();
    assertArrayEquals(new long[] {256, 64}, c.require(n.embedding(), 256, 64).shape());
    assertArrayEquals(new long[] {c.config().kvDim(), 64}, c.require(n.k(1), c.config().kvDim(), 64).shape());
    assertArrayEquals(new long[] {qd, 64}, c.require(n.q(0), qd, 64).shape());
    assertEquals(family == ModelFamily.DREAM, c.tensors().containsKey(TensorNames.bias(n.q(0))));
    int perLayer = family == ModelFamily.DREAM ? 12 : 9;
    assertEquals(3 + 2 * perLayer, c.tensors().size());
  }

  @Test
  void bf16AndF16AreWidenedExactlyAndShardedIndexesLoad() throws Exception {
    Path f32 = TestModels.model(ModelFamily.LLADA, 2, 64, TensorDType.F32, 1);
    Path bf16 = TestModels.model(ModelFamily.LLADA, 2, 64, TensorDType.BF16, 1);
    Path f16 = TestModels.model(ModelFamily.LLADA, 2, 64, TensorDType.F16, 1);
    Path sharded = TestModels.model(ModelFamily.LLADA, 2, 64, TensorDType.F32, 3);
    assertTrue(Files.exists(sharded.resolve("model.safetensors.index.json")));
    String name = "model.transformer.blocks.1.q_proj.weight";
    float[] ref = floats(Checkpoint.open(f32).tensors().get(name));
    float[] b = floats(Checkpoint.open(bf16).tensors().get(name));
    float[] h = floats(Checkpoint.open(f16).tensors().get(name));
    for (int i = 0; i < ref.length; i++) {
      assertEquals(Float.intBitsToFloat((HalfFloats.toBf16(ref[i]) & 0xFFFF) << 16), b[i], 0f);
      assertEquals(ref[i], h[i], Math.abs(ref[i]) * 1e-3 + 1e-6);
    }
    int[] ids = TestModels.prompt(12, 1);
    try (Transformer a = Transformer.load(f32, Device.cpu());
        Transformer s = Transformer.load(sharded, Device.cpu());
        NDManager m = a.manager().newSubManager();
        NDManager m2 = s.manager().newSubManager()) {
      assertArrayEquals(Forward.logitsAllRows(a, ids, m), Forward.logitsAllRows(s, ids, m2), 0f);
    }
  }

  private static float[] floats(TensorInfo t) {
    var buf = SafetensorsFile.readFloats(t, 0, (int) t.elements());
    float[] out = new float[buf.remaining()];
    buf.get(out);
    return out;
  }

  private Path copyOfModel() throws IOException {
    Path src = TestModels.model(ModelFamily.LLADA, 2);
    Path dst = Files.createDirectories(tmp.resolve("m"));
    for (String f : new String[] {"config.json", "model.safetensors", "tokenizer.json"}) {
      Files.copy(src.resolve(f), dst.resolve(f), StandardCopyOption.REPLACE_EXISTING);
    }
    return dst;
  }

  private static ModelFormatException loadFails(Path dir) {
    return assertThrows(ModelFormatException.class, () -> {
      try (Transformer t = Transformer.load(dir, Device.cpu())) {
        t.config();
      }
    });
  }

  @Test
  void truncatedFileNamesTheFileAndTensor() throws IOException {
    Path dir = copyOfModel();
    Path f = dir.resolve("model.safetensors");
    byte[] all = Files.readAllBytes(f);
    Files.write(f, java.util.Arrays.copyOf(all, all.length - 100));
    ModelFormatException e = loadFails(dir);
    assertTrue(e.getMessage().contains("model.safetensors") && e.getMessage().contains("tensor "), e.getMessage());
    assertTrue(e.getMessage().contains("beyond the data buffer"), e.getMessage());
  }

  @Test
  void headerLyingAboutSizeIsCaught() throws IOException {
    Path dir = copyOfModel();
    rewriteHeader(dir, h -> h.replaceFirst("\"shape\":\\[256,64\\]", "\"shape\":[256,65]"));
    ModelFormatException e = loadFails(dir);
    assertTrue(e.getMessage().contains("model.transformer.wte.weight") && e.getMessage().contains("data_offsets span"),
        e.getMessage());
  }

  @Test
  void missingTensorIsNamed() throws IOException {
    Path dir = copyOfModel();
    rewriteHeader(dir, h -> h.replace("model.transformer.ln_f.weight", "model.transformer.ln_X.weight"));
    ModelFormatException e = loadFails(dir);
    assertTrue(e.getMessage().contains("missing tensor model.transformer.ln_f.weight"), e.getMessage());
  }

  @Test
  void wrongShapeIsNamedWithBothShapes() throws IOException {
    Path dir = copyOfModel();
    String cfg = Files.readString(dir.resolve("config.json")).replace("\"mlp_hidden_size\" : 192",
        "\"mlp_hidden_size\" : 96");
    Files.writeString(dir.resolve("config.json"), cfg);
    ModelFormatException e = loadFails(dir);
    assertTrue(e.getMessage().contains("ff_proj.weight: shape [192, 64], expected [96, 64]"), e.getMessage());
  }

  @Test
  void unknownDtypeIsNamed() throws IOException {
    Path dir = copyOfModel();
    rewriteHeader(dir, h -> h.replaceFirst("\"F32\"", "\"I64\""));
    ModelFormatException e = loadFails(dir);
    assertTrue(e.getMessage().contains("unsupported dtype I64") && e.getMessage().contains("tensor"),
        e.getMessage());
  }

  @Test
  void configMissingFieldsIsNamed() throws IOException {
    Path dir = copyOfModel();
    String cfg = Files.readString(dir.resolve("config.json")).replace("\"n_heads\"", "\"n_headz\"");
    Files.writeString(dir.resolve("config.json"), cfg);
    ModelFormatException e = loadFails(dir);
    assertTrue(e.getMessage().contains("config.json") && e.getMessage().contains("missing field 'n_heads'"),
        e.getMessage());
  }

  /** Rewrites the JSON header in place, keeping its length (padding with spaces) so offsets stay valid. */
  private static void rewriteHeader(Path dir, java.util.function.UnaryOperator<String> edit) throws IOException {
    Path f = dir.resolve("model.safetensors");
    byte[] all = Files.readAllBytes(f);
    int len = (int) ByteBuffer.wrap(all, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    String header = new String(all, 8, len, StandardCharsets.UTF_8).stripTrailing();
    String edited = edit.apply(header);
    assertTrue(edited.length() <= len && !edited.equals(header), "edit must change the header and fit");
    byte[] bytes = (edited + " ".repeat(len - edited.length())).getBytes(StandardCharsets.UTF_8);
    System.arraycopy(bytes, 0, all, 8, len);
    Files.write(f, all);
  }
}
