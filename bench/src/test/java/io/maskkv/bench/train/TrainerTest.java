package io.maskkv.bench.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.maskkv.bench.tasks.TaskRegistry;
import io.maskkv.worker.engine.Forward;
import io.maskkv.worker.engine.Transformer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainerTest {
  private static TrainConfig tiny(long seed) {
    return new TrainConfig(1, 32, 2, 64, "needle", 24, 2, 8, 1e-2, 2, seed, List.of(), 1, false);
  }

  /**
   * Held-out decoding fills exactly each answer's own slots (one word per forward; EOS slots and the prompt are left
   * alone), and a one-word answer is its slot's argmax after a single forward, as before answers had several words.
   */
  @Test
  void heldOutDecodingFillsEachAnswersOwnSlotsOnly() {
    TrainConfig path = new TrainConfig(1, 32, 2, 64, "vartrack-path", 64, 8, 8, 1e-2, 2, 6, List.of(), 1, false);
    try (Trainer t = new Trainer(path)) {
      Batch b = Batch.sample(path, List.of(TaskRegistry.get("vartrack-path")), t.vocabulary(),
          new java.util.SplittableRandom(4), true);
      int[] decoded = t.decodeAnswers(b);
      int mask = t.vocabulary().mask();
      for (int i = 0; i < b.batch(); i++) {
        int first = i * b.length() + path.length();
        assertArrayEquals(Arrays.copyOfRange(b.tokens(), i * b.length(), first),
            Arrays.copyOfRange(decoded, i * b.length(), first), "the prompt is not touched");
        for (int s = 0; s < path.answerSlots(); s++) {
          boolean ownSlot = b.targets()[first + s] != t.vocabulary().eos();
          assertEquals(ownSlot, decoded[first + s] != mask, "sequence " + i + ", slot " + s);
        }
      }
    }
    try (Trainer t = new Trainer(tiny(7))) {
      Batch b = Batch.sample(tiny(7), List.of(TaskRegistry.get("needle")), t.vocabulary(),
          new java.util.SplittableRandom(4), true);
      int[] decoded = t.decodeAnswers(b);
      float[] logits = t.answerLogits(b.tokens(), b.batch());
      int vocab = t.vocabulary().size;
      for (int i = 0; i < b.batch(); i++) {
        int row = i * 2 * vocab;
        int best = 0;
        for (int v = 1; v < vocab; v++) {
          best = logits[row + v] > logits[row + best] ? v : best;
        }
        assertEquals(best, decoded[i * b.length() + 24], "one forward's argmax at slot 0");
        assertEquals(t.vocabulary().mask(), decoded[i * b.length() + 25], "the EOS slot stays masked");
      }
    }
  }

  @Test
  void aFewStepsReduceTheLoss() {
    // the per-batch loss is noisy (t ~ U(0.1, 1) weights each sequence 1/t): compare means of 10 and 20 steps
    try (Trainer t = new Trainer(tiny(1))) {
      double first = 0;
      for (int i = 0; i < 10; i++) {
        first += t.trainStep() / 10;
      }
      for (int i = 0; i < 30; i++) {
        t.trainStep();
      }
      double last = 0;
      for (int i = 0; i < 20; i++) {
        last += t.trainStep() / 20;
      }
      assertTrue(last < 0.8 * first, "mean loss " + first + " -> " + last);
    }
  }

  @Test
  void aResumedCheckpointContinuesExactlyLikeAnUninterruptedRun(@TempDir Path dir) throws Exception {
    float[][] straight;
    try (Trainer t = new Trainer(tiny(2))) {
      for (int i = 0; i < 4; i++) {
        t.trainStep();
      }
      straight = snapshot(t.parameters());
    }
    try (Trainer t = new Trainer(tiny(2))) {
      t.trainStep();
      t.trainStep();
      t.saveCheckpoint(dir);
    }
    try (Trainer resumed = Trainer.resume(dir)) {
      assertEquals(2, resumed.step());
      resumed.trainStep();
      resumed.trainStep();
      float[][] after = snapshot(resumed.parameters());
      for (int i = 0; i < straight.length; i++) {
        assertArrayEquals(straight[i], after[i], 1e-6f, "parameter " + i);
      }
    }
  }

  /** The pretrain objective resumes exactly too, and a later stage may switch to the answer objective. */
  @Test
  void aPretrainRunResumesExactlyAndItsNextStageCanSwitchToAnswers(@TempDir Path dir) throws Exception {
    TrainConfig pre = new TrainConfig(1, 32, 2, 64, "needle", 24, 2, 4, 1e-2, 2, 4, List.of(), 1, false,
        TrainConfig.Objective.PRETRAIN, 0.5);
    float[][] straight;
    try (Trainer t = new Trainer(pre)) {
      for (int i = 0; i < 3; i++) {
        t.trainStep();
      }
      straight = snapshot(t.parameters());
    }
    try (Trainer t = new Trainer(pre)) {
      t.trainStep();
      t.saveCheckpoint(dir);
      t.trainStep();
      t.saveCheckpoint(dir); // replaces the first: one tensor file, the newest
    }
    try (var files = java.nio.file.Files.list(dir)) {
      assertEquals(List.of("trainer-2.safetensors"), files.map(p -> p.getFileName().toString())
          .filter(n -> n.endsWith(".safetensors")).toList());
    }
    try (Trainer resumed = Trainer.resume(dir)) {
      assertEquals(TrainConfig.Objective.PRETRAIN, resumed.config().objective());
      resumed.trainStep();
      float[][] after = snapshot(resumed.parameters());
      for (int i = 0; i < straight.length; i++) {
        assertArrayEquals(straight[i], after[i], 1e-6f, "parameter " + i);
      }
    }
    try (Trainer answers = Trainer.resume(dir,
        new Stage(null, null, null, null, TrainConfig.Objective.ANSWER, null))) {
      assertEquals(TrainConfig.Objective.ANSWER, answers.config().objective());
      assertEquals(0.0, answers.config().fillerRatio());
      assertTrue(Double.isFinite(answers.trainStep()));
    }
  }

  /** The mixed objective with a cosine schedule resumes exactly and keeps its share and schedule. */
  @Test
  void aMixedRunWithACosineScheduleResumesExactly(@TempDir Path dir) throws Exception {
    TrainConfig mixed = new TrainConfig(1, 32, 2, 64, "needle,multikey", 24, 2, 4, 1e-2, 1, 6, List.of(), 1, false,
        TrainConfig.Objective.MIXED, 0.3, 0.5, 2, 5, 1e-3);
    float[][] straight;
    try (Trainer t = new Trainer(mixed)) {
      for (int i = 0; i < 5; i++) {
        t.trainStep();
      }
      straight = snapshot(t.parameters());
    }
    try (Trainer t = new Trainer(mixed)) {
      t.trainStep();
      t.trainStep();
      t.saveCheckpoint(dir);
    }
    try (Trainer resumed = Trainer.resume(dir)) {
      assertEquals(mixed, resumed.config());
      for (int i = 0; i < 3; i++) {
        assertTrue(Double.isFinite(resumed.trainStep()));
      }
      float[][] after = snapshot(resumed.parameters());
      for (int i = 0; i < straight.length; i++) {
        assertArrayEquals(straight[i], after[i], 1e-6f, "parameter " + i);
      }
    }
    // a next stage may set a new schedule; without --min-lr it keeps the checkpoint's floor
    try (Trainer next = Trainer.resume(dir,
        new Stage(48, null, null, 5e-3, null, null, 0.8, 2L, 10L, null))) {
      TrainConfig c = next.config();
      assertEquals(TrainConfig.Objective.MIXED, c.objective());
      assertEquals(0.8, c.answerShare());
      assertEquals(48, c.length());
      assertEquals(1e-3, c.minLearningRate(), 1e-12);
      assertEquals(5e-3, c.learningRate(2), 1e-12);
      assertEquals(1e-3, c.learningRate(10), 1e-12);
      assertEquals(0, c.suffixMask(), "a checkpoint without suffix masking keeps independent masking");
      assertTrue(Double.isFinite(next.trainStep()));
    }
    try (Trainer next = Trainer.resume(dir,
        new Stage(null, null, null, null, null, null, null, null, null, null, 0.5))) {
      assertEquals(0.5, next.config().suffixMask(), "a next stage may switch suffix masking on");
      next.saveCheckpoint(dir);
    }
    try (Trainer pretrain = Trainer.resume(dir,
        new Stage(null, null, null, null, TrainConfig.Objective.PRETRAIN, null))) {
      assertEquals(0, pretrain.config().suffixMask(), "a pretrain stage has no answer tail to mask");
    }
  }

  @Test
  void theLearningRateWarmsUpThenFollowsTheCosine() {
    TrainConfig c = new TrainConfig(1, 32, 2, 64, "needle", 24, 2, 4, 1e-3, 10, 6, List.of(), 1, false,
        TrainConfig.Objective.MIXED, 0, 0.5, 100, 200, 1e-4);
    assertEquals(1e-4, c.learningRate(1), 1e-12);
    assertEquals(1e-3, c.learningRate(10), 1e-12);
    assertEquals(1e-3, c.learningRate(100), 1e-12);
    assertEquals(5.5e-4, c.learningRate(150), 1e-12);
    assertEquals(1e-4, c.learningRate(200), 1e-12);
    assertEquals(1e-4, c.learningRate(1000), 1e-12);
    TrainConfig constant = new TrainConfig(1, 32, 2, 64, "needle", 24, 2, 4, 1e-3, 10, 6, List.of(), 1, false);
    assertEquals(1e-3, constant.learningRate(1000), 1e-12);
  }

  /** A checkpoint written before the objective option and the crash-safe layout resumes as the answer objective. */
  @Test
  void aLegacyCheckpointResumesAsTheAnswerObjective(@TempDir Path dir) throws Exception {
    try (Trainer t = new Trainer(tiny(5))) {
      t.trainStep();
      t.saveCheckpoint(dir);
    }
    var json = new com.fasterxml.jackson.databind.ObjectMapper();
    var state = (com.fasterxml.jackson.databind.node.ObjectNode) json.readTree(dir.resolve("trainer.json").toFile());
    java.nio.file.Files.move(dir.resolve(state.get("weights").asText()), dir.resolve("trainer.safetensors"));
    state.remove(List.of("weights", "objective", "fillerRatio"));
    java.nio.file.Files.writeString(dir.resolve("trainer.json"), state.toString());
    try (Trainer resumed = Trainer.resume(dir)) {
      assertEquals(1, resumed.step());
      assertEquals(TrainConfig.Objective.ANSWER, resumed.config().objective());
    }
  }

  /** The exported folder is a model the serving engine loads, and it computes the trainer's own logits. */
  @Test
  void theExportedModelIsServedWithTheTrainersLogits(@TempDir Path dir) throws Exception {
    try (Trainer t = new Trainer(tiny(3))) {
      t.trainStep();
      t.exportModel(dir);
      Batch b = Batch.sample(tiny(3), List.of(TaskRegistry.get("needle")), t.vocabulary(), 99);
      int[] one = Arrays.copyOfRange(b.tokens(), 0, b.length());
      float[] trainer = t.answerLogits(one, 1);
      try (Transformer engine = Transformer.load(dir, Device.cpu());
          NDManager m = engine.manager().newSubManager()) {
        float[] all = Forward.logitsAllRows(engine, one, m);
        int vocab = engine.config().vocabSize();
        float[] tail = Arrays.copyOfRange(all, (one.length - 2) * vocab, one.length * vocab);
        assertArrayEquals(trainer, tail, 1e-4f);
      }
    }
  }

  /** Fine-tuning: a run started from an exported model holds exactly its weights, at step 0; wrong shapes fail. */
  @Test
  void aRunStartedFromAnExportedModelHoldsItsWeights(@TempDir Path dir) throws Exception {
    Path model = dir.resolve("model");
    float[][] trained;
    try (Trainer t = new Trainer(tiny(4))) {
      t.trainStep();
      t.trainStep();
      t.exportModel(model);
      trained = snapshot(t.parameters());
    }
    try (Trainer t = Trainer.startFrom(model, tiny(5))) {
      assertEquals(0, t.step());
      float[][] started = snapshot(t.parameters());
      for (int i = 0; i < trained.length; i++) {
        assertArrayEquals(trained[i], started[i], 0f, "parameter " + i);
      }
      t.exportModel(dir.resolve("again"));
      assertArrayEquals(Files.readAllBytes(model.resolve("model.safetensors")),
          Files.readAllBytes(dir.resolve("again/model.safetensors")));
      double before = t.trainStep();
      assertTrue(Double.isFinite(before));
    }
    TrainConfig wider = new TrainConfig(1, 64, 2, 64, "needle", 24, 2, 8, 1e-2, 2, 5, List.of(), 1, false);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Trainer.startFrom(model, wider));
    assertTrue(e.getMessage().contains("d 32") && e.getMessage().contains("d 64"), e.getMessage());
  }

  /** Growing: appended layers start as identity blocks, so the deeper model's logits are the folder's, bit for bit. */
  @Test
  void aDeeperRunStartsWithTheFoldersLogitsAndTrainsItsAddedLayers(@TempDir Path dir) throws Exception {
    Path model = dir.resolve("model");
    float[] shallow;
    int[] one;
    try (Trainer t = new Trainer(tiny(6))) {
      t.trainStep();
      t.exportModel(model);
      Batch b = Batch.sample(tiny(6), List.of(TaskRegistry.get("needle")), t.vocabulary(), 5);
      one = Arrays.copyOfRange(b.tokens(), 0, b.length());
      shallow = t.answerLogits(one, 1);
    }
    TrainConfig deeper = new TrainConfig(3, 32, 2, 64, "needle", 24, 2, 8, 1e-2, 2, 7, List.of(), 1, false);
    try (Trainer t = Trainer.startFrom(model, deeper)) {
      assertArrayEquals(shallow, t.answerLogits(one, 1), 0f);
      String addedOut = "model.transformer.blocks.2.attn_out.weight";
      assertEquals(0f, t.parameters().get(addedOut).abs().max().getFloat());
      t.trainStep();
      assertTrue(t.parameters().get(addedOut).abs().max().getFloat() > 0, "the added layer learns");
    }
    TrainConfig deeperAndWider = new TrainConfig(3, 64, 2, 64, "needle", 24, 2, 8, 1e-2, 2, 7, List.of(), 1, false);
    assertThrows(IllegalArgumentException.class, () -> Trainer.startFrom(model, deeperAndWider));
  }

  private static float[][] snapshot(Map<String, NDArray> params) {
    return params.values().stream().map(NDArray::toFloatArray).toArray(float[][]::new);
  }
}
