package io.maskkv.bench.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.maskkv.bench.tasks.TaskGenerator;
import io.maskkv.bench.tasks.TaskRegistry;
import io.maskkv.common.decode.Candidate;
import io.maskkv.common.decode.Remasking;
import io.maskkv.common.decode.TokenChooser;
import io.maskkv.common.model.ModelConfig;
import io.maskkv.common.model.ModelConfigJson;
import io.maskkv.common.text.WordLevelTokenizerJson;
import io.maskkv.worker.checkpoint.Checkpoint;
import io.maskkv.worker.checkpoint.SafetensorsFile;
import io.maskkv.worker.checkpoint.SafetensorsWriter;
import io.maskkv.worker.checkpoint.TensorDType;
import io.maskkv.worker.checkpoint.TensorInfo;
import io.maskkv.worker.checkpoint.TensorNames;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Trains a small LLaDA-format masked-diffusion LM on the procedural tasks with DJL autograd on raw NDArrays
 * (the path a float64 gradient check verified against finite differences), checkpoints it with its optimiser state,
 * and exports a Hugging Face model folder the serving engine loads.
 */
public final class Trainer implements AutoCloseable {
  /** Temperature 0 makes the choice deterministic (no Gumbel noise, so the seed is never drawn). */
  private static final TokenChooser GREEDY = new TokenChooser(Remasking.LOW_CONFIDENCE, 0, 1, 0, 0);

  private static final String LEGACY_CHECKPOINT = "trainer.safetensors";
  private static final String STATE = "trainer.json";
  private static final String WEIGHTS = "weights";

  private final TrainConfig config;
  private final Vocabulary vocab = new Vocabulary();
  private final List<TaskGenerator> tasks;
  private final NDManager manager;
  private final TrainableModel model;
  private final Adam adam;
  private long step;
  private long skipped;

  public Trainer(TrainConfig config) {
    this.config = config;
    this.tasks = config.tasks().stream().map(TaskRegistry::get).toList();
    if (tasks.isEmpty()) {
      throw new IllegalArgumentException("no task given");
    }
    this.manager = NDManager.newBaseManager();
    this.model = new TrainableModel(config.modelConfig(vocab.size), manager, config.seed(), config.offsetHeads(),
        config.bindingPrior(), config.hopPrior());
    this.adam = new Adam(model.params, manager);
  }

  public TrainConfig config() {
    return config;
  }

  /** Steps whose gradient was not finite and left the weights alone (this process only). */
  public long skippedSteps() {
    return skipped;
  }

  public long step() {
    return step;
  }

  /**
   * One optimiser step; returns the batch's loss per sequence: the answer objective's masked-slot cross-entropy
   * weighted 1/t, or the pretrain objective's cross-entropy over every masked position weighted 1/(p·L), or under
   * the mixed objective each sequence's own of the two.
   */
  public double trainStep() {
    Batch b = Batch.sample(config, tasks, vocab, step);
    step++;
    try (NDManager scratch = manager.newSubManager()) {
      NDArray tokens = scratch.create(b.tokens(), new Shape(b.batch(), b.length()));
      // logits for the rows from the earliest supervised position (an inline answer of an earlier question, else
      // the first answer slot; under the pretrain objective nearly the whole sequence) to the end
      int rows = b.supervisedRows();
      int skip = b.length() - rows;
      float[] w = new float[b.batch() * rows * vocab.size];
      for (int i = 0; i < b.batch(); i++) {
        for (int r = 0; r < rows; r++) {
          int pos = i * b.length() + skip + r;
          if (b.weights()[pos] != 0) {
            w[(i * rows + r) * vocab.size + b.targets()[pos]] = b.weights()[pos];
          }
        }
      }
      NDArray weights = scratch.create(w, new Shape(b.batch(), rows, vocab.size));
      double loss;
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        NDArray logits = model.forward(tokens, rows, scratch);
        NDArray l = logits.logSoftmax(-1).mul(weights).sum().neg().div((float) b.batch());
        gc.backward(l);
        loss = l.getFloat();
      }
      double lr = config.learningRate(step);
      if (!adam.update(model.params, model.trainable, lr, step, scratch)) {
        skipped++;
      }
      return loss;
    }
  }

  /**
   * Exact-match accuracy per task on {@code n} held-out sequences (a seed stream training never draws), every
   * answer slot masked: a one-word answer is the answer slot's argmax after one forward; a longer one is decoded
   * over its own slots one word per forward, the most confident first (low-confidence remasking, with the answer's
   * length given), and is right when every word is.
   */
  public Map<String, Double> accuracy(int n) {
    Map<String, Double> out = new LinkedHashMap<>();
    for (int ti = 0; ti < tasks.size(); ti++) {
      String name = config.tasks().get(ti); // as given (the held-out seed derives from it)
      TaskGenerator task = tasks.get(ti);
      SplittableRandom rnd = new SplittableRandom(~config.seed() * 0xBF58476D1CE4E5B9L + name.hashCode());
      int right = 0;
      int seen = 0;
      while (seen < n) {
        Batch b = Batch.sample(config, List.of(task), vocab, rnd, true);
        int[] decoded = decodeAnswers(b);
        for (int i = 0; i < b.batch() && seen < n; i++, seen++) {
          int first = i * b.length() + config.length();
          boolean all = true;
          for (int s = 0; s < answerWords(b, i); s++) {
            all &= decoded[first + s] == b.targets()[first + s];
          }
          right += all ? 1 : 0;
        }
      }
      out.put(name, (double) right / n);
    }
    return out;
  }

  /** The answer's words in sequence {@code i}: its answer slots' targets before the first EOS. */
  private int answerWords(Batch b, int i) {
    int first = i * b.length() + config.length();
    int words = 0;
    while (words < config.answerSlots() && b.targets()[first + words] != vocab.eos()) {
      words++;
    }
    return words;
  }

  /**
   * {@code b}'s tokens with each sequence's answer words filled in, one per forward, the most confident first: the
   * engine's greedy low-confidence rule (argmax, softmax confidence).
   */
  int[] decodeAnswers(Batch b) {
    int[] tokens = b.tokens().clone();
    int slots = config.answerSlots();
    int[] words = new int[b.batch()];
    int passes = 0;
    for (int i = 0; i < b.batch(); i++) {
      words[i] = answerWords(b, i);
      passes = Math.max(passes, words[i]);
    }
    for (int pass = 0; pass < passes; pass++) {
      float[] logits = answerLogits(tokens, b.batch());
      for (int i = 0; i < b.batch(); i++) {
        int first = i * b.length() + config.length();
        Candidate best = null;
        for (int s = 0; s < words[i]; s++) {
          if (tokens[first + s] == vocab.mask()) {
            Candidate c = GREEDY.choose(s, logits, (i * slots + s) * vocab.size, vocab.size);
            best = best == null || c.confidence() > best.confidence() ? c : best;
          }
        }
        if (best != null) {
          tokens[first + best.position()] = best.token();
        }
      }
    }
    return tokens;
  }

  /**
   * Parameters and both Adam moments in one safetensors file, the step and config beside it. Crash-safe: the
   * tensors go to a new step-named file first and {@code trainer.json} (which names it) is replaced atomically
   * after, so a run killed mid-write still resumes from the previous checkpoint; older tensor files go last.
   */
  public void saveCheckpoint(Path dir) throws IOException {
    Files.createDirectories(dir);
    String weights = "trainer-" + step + ".safetensors";
    SafetensorsWriter w = new SafetensorsWriter(TensorDType.F32);
    model.params.forEach((n, p) -> w.add("param." + n, p.getShape().getShape(), p.toFloatArray()));
    adam.m.forEach((n, p) -> w.add("adam_m." + n, p.getShape().getShape(), p.toFloatArray()));
    adam.v.forEach((n, p) -> w.add("adam_v." + n, p.getShape().getShape(), p.toFloatArray()));
    w.write(dir.resolve(weights));
    ObjectMapper json = new ObjectMapper();
    ObjectNode state = json.valueToTree(config);
    state.put("step", step);
    state.put(WEIGHTS, weights);
    Path tmp = dir.resolve(STATE + ".tmp");
    Files.writeString(tmp, json.writerWithDefaultPrettyPrinter().writeValueAsString(state));
    Files.move(tmp, dir.resolve(STATE), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    try (var old = Files.list(dir)) {
      for (Path p : old.filter(p -> p.getFileName().toString().endsWith(".safetensors")
          && !p.getFileName().toString().equals(weights)).toList()) {
        Files.delete(p);
      }
    }
  }

  /** A trainer continuing a checkpoint: same config, parameters, moments and step (so the same next batches). */
  public static Trainer resume(Path dir) throws IOException {
    return resume(dir, Stage.SAME);
  }

  /** A trainer continuing a checkpoint with the next stage's changes (see {@link Stage}). */
  public static Trainer resume(Path dir, Stage stage) throws IOException {
    JsonNode state = new ObjectMapper().readTree(Files.readString(dir.resolve(STATE)));
    ObjectNode cfg = stage.applyTo(((ObjectNode) state.deepCopy()).without(List.of("step", WEIGHTS)));
    TrainConfig c = new ObjectMapper().treeToValue(cfg, TrainConfig.class);
    Trainer t = new Trainer(c);
    // checkpoints written before the crash-safe layout hold one fixed-name file
    String weights = state.has(WEIGHTS) ? state.get(WEIGHTS).asText() : LEGACY_CHECKPOINT;
    Map<String, TensorInfo> tensors = SafetensorsFile.open(dir.resolve(weights)).tensors();
    restore(t.model.params, "param.", tensors);
    restore(t.adam.m, "adam_m.", tensors);
    restore(t.adam.v, "adam_v.", tensors);
    t.step = state.get("step").asLong();
    return t;
  }

  /**
   * A trainer whose weights start as a served model folder's (one this trainer exported, such as the bundled
   * model), at step 0 with a fresh optimiser: fine-tuning a model whose optimiser state is gone. The folder's
   * architecture and vocabulary must be the config's, except that the config may have more layers: then the
   * folder's layers are copied and the added ones are appended as identity blocks (see {@link DepthGrowth}).
   */
  public static Trainer startFrom(Path modelDir, TrainConfig config) {
    Trainer t = new Trainer(config);
    ModelConfig want = t.model.config;
    ModelConfig have = ModelConfigJson.read(modelDir);
    boolean grows = DepthGrowth.grows(have, want);
    if (!have.equals(want) && !grows) {
      t.close();
      String differs = shape(have).equals(shape(want)) ? " (other fields differ: " + have + " vs " + want + ")" : "";
      throw new IllegalArgumentException(modelDir + " is " + shape(have) + ", the trainer builds " + shape(want)
          + differs + ": give the folder's --layers/--d-model/--heads/--ffn (the vocabulary is the task words'), "
          + "or more --layers to grow it");
    }
    Set<String> added = grows ? DepthGrowth.identityLayers(t.model.params, TensorNames.of(want.family()),
        have.layers(), want.layers()) : Set.of();
    Map<String, TensorInfo> tensors = SafetensorsFile.open(modelDir.resolve("model.safetensors")).tensors();
    for (Map.Entry<String, NDArray> e : t.model.params.entrySet()) {
      if (added.contains(e.getKey())) {
        continue;
      }
      TensorInfo info = tensors.get(e.getKey());
      long[] ours = e.getValue().getShape().getShape();
      boolean linear = t.model.linear(e.getKey(), ours);
      long[] hf = linear ? new long[] {ours[1], ours[0]} : ours;
      if (info == null || !java.util.Arrays.equals(info.shape(), hf)) {
        t.close();
        throw new IllegalArgumentException(modelDir + ": tensor " + e.getKey() + (info == null ? " is missing"
            : " has shape " + java.util.Arrays.toString(info.shape()) + ", expected " + java.util.Arrays.toString(hf)));
      }
      float[] values = floats(info);
      e.getValue().set(linear ? TrainableModel.transpose(values, (int) hf[0], (int) hf[1]) : values);
    }
    return t;
  }

  private static String shape(ModelConfig c) {
    return c.family() + " " + c.layers() + " layers, d " + c.hiddenSize() + ", " + c.heads() + "/" + c.kvHeads()
        + " heads, ffn " + c.intermediateSize() + ", vocab " + c.vocabSize();
  }

  private static void restore(Map<String, NDArray> into, String prefix, Map<String, TensorInfo> tensors) {
    for (Map.Entry<String, NDArray> e : into.entrySet()) {
      TensorInfo info = tensors.get(prefix + e.getKey());
      if (info == null) {
        throw new IllegalArgumentException("checkpoint lacks " + prefix + e.getKey());
      }
      e.getValue().set(floats(info));
    }
  }

  private static float[] floats(TensorInfo info) {
    FloatBuffer data = SafetensorsFile.readFloats(info, 0, (int) info.elements());
    float[] values = new float[data.remaining()];
    data.get(values);
    return values;
  }

  /** Writes config.json, model.safetensors and tokenizer.json: a model folder the engine serves. */
  public void exportModel(Path dir) throws IOException {
    Files.createDirectories(dir);
    ModelConfigJson.write(model.config, dir);
    Map<String, long[]> shapes = new LinkedHashMap<>();
    Map<String, float[]> tensors = model.hfTensors(shapes);
    SafetensorsWriter w = new SafetensorsWriter(TensorDType.F32);
    tensors.forEach((n, data) -> w.add(n, shapes.get(n), data));
    w.write(dir.resolve("model.safetensors"));
    WordLevelTokenizerJson.write(dir.resolve("tokenizer.json"), vocab.ids, vocab.specials);
    Checkpoint.open(dir); // fail here, not at serving time, if anything is missing or misshaped
  }

  /** The trainer's own logits for the answer slots of {@code tokens [B, L]} (for checks against the engine). */
  float[] answerLogits(int[] tokens, int batch) {
    try (NDManager scratch = manager.newSubManager()) {
      NDArray t = scratch.create(tokens, new Shape(batch, tokens.length / batch));
      return model.forward(t, config.answerSlots(), scratch).toFloatArray();
    }
  }

  Map<String, NDArray> parameters() {
    return model.params;
  }

  Vocabulary vocabulary() {
    return vocab;
  }

  @Override
  public void close() {
    manager.close();
  }
}
