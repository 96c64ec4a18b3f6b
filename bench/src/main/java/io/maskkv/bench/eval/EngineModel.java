package io.maskkv.bench.eval;

import io.maskkv.common.decode.GenerationOptions;
import io.maskkv.common.decode.GenerationResult;
import io.maskkv.common.decode.StepListener;
import io.maskkv.common.text.TextTokenizer;
import io.maskkv.worker.engine.Devices;
import io.maskkv.worker.engine.Transformer;
import io.maskkv.worker.session.Generator;
import java.nio.file.Path;

/** The in-process engine: a model folder's weights and {@code tokenizer.json}, loaded once. */
public final class EngineModel implements EvalModel, AutoCloseable {
  private final Transformer model;
  private final TextTokenizer tokenizer;
  private final Generator generator;

  private EngineModel(Transformer model, TextTokenizer tokenizer) {
    this.model = model;
    this.tokenizer = tokenizer;
    this.generator = new Generator(model);
  }

  /** Loads the model and its tokenizer; {@code device} as {@code --device} takes it (cpu, cuda, cuda:N). */
  public static EngineModel load(Path dir, String device) {
    Transformer t = Transformer.load(dir, Devices.parse(device));
    try {
      return new EngineModel(t, TextTokenizer.load(dir));
    } catch (RuntimeException e) {
      t.close();
      throw e;
    }
  }

  public Transformer transformer() {
    return model;
  }

  @Override
  public int[] encode(String prompt) {
    return tokenizer.encode(prompt);
  }

  @Override
  public Output generate(int[] prompt, GenerationOptions options) {
    GenerationResult r = generator.generate(prompt, options, StepListener.NONE);
    return new Output(tokenizer.decode(r.answer()), r.msPerCachedStep(), r.firstStepNanos() / 1e6,
        r.kvBytesPeak());
  }

  @Override
  public void close() {
    try {
      tokenizer.close();
    } finally {
      model.close();
    }
  }
}
