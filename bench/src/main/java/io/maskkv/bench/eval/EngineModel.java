package io.maskkv.bench.eval;

import io.maskkv.common.decode.GenerationOptions;
import io.maskkv.common.decode.GenerationResult;
import io.maskkv.common.decode.StepListener;
import io.maskkv.common.text.ChatTemplate;
import io.maskkv.common.text.PromptTemplate;
import io.maskkv.common.text.PromptTemplates;
import io.maskkv.common.text.TextTokenizer;
import io.maskkv.worker.engine.Devices;
import io.maskkv.worker.engine.Transformer;
import io.maskkv.worker.session.Generator;
import java.nio.file.Path;
import java.util.List;

/** The in-process engine: a model folder's weights, {@code tokenizer.json} and chat template, loaded once. */
public final class EngineModel implements EvalModel, AutoCloseable {
  private final Transformer model;
  private final TextTokenizer tokenizer;
  private final Generator generator;
  private final PromptTemplate template;

  private EngineModel(Transformer model, TextTokenizer tokenizer) {
    this.model = model;
    this.tokenizer = tokenizer;
    this.template = PromptTemplates.load(model.dir(), model.config().family());
    this.generator = new Generator(model);
  }

  /** Loads the model and its tokenizer; {@code device} as {@code --device} takes it (cpu, cuda, cuda:N). */
  public static EngineModel load(Path dir, String device) {
    return of(Transformer.load(dir, Devices.parse(device)));
  }

  /** Wraps a loaded model (its folder's tokenizer and chat template); closes it on failure. */
  public static EngineModel of(Transformer t) {
    Path dir = t.dir();
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
  public String decode(int[] ids) {
    return tokenizer.decode(ids);
  }

  @Override
  public String chat(String prompt) {
    return template.render(List.of(new ChatTemplate.Message("user", prompt)));
  }

  @Override
  public int maxPositions() {
    return model.config().maxPositions();
  }

  @Override
  public Output generate(int[] prompt, GenerationOptions options) {
    // a re-voting method decides again at each step: each layer holds what its latest decision says
    java.util.Map<Integer, Long> promptBytes = new java.util.HashMap<>();
    GenerationResult r = generator.generate(prompt, options, StepListener.NONE,
        d -> promptBytes.put(d.layer(), d.bytesAfter()));
    long held = promptBytes.isEmpty() ? r.promptKvBytesFull()
        : promptBytes.values().stream().mapToLong(Long::longValue).sum();
    return new Output(tokenizer.decode(r.answer()), r.msPerCachedStep(), r.firstStepNanos() / 1e6,
        r.kvBytesPeak(), held);
  }

  @Override
  public long kvBytesPerToken() {
    return model.config().kvBytesPerTokenPerLayer() * model.config().layers();
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
