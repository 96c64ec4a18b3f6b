package io.maskkv.worker.kv;

import ai.djl.ndarray.NDManager;
import io.maskkv.common.decode.GenerationOptions;
import io.maskkv.worker.engine.Transformer;

/** Builds the cache policy a request asks for. */
public final class StepCaches {
  private StepCaches() {}

  public static StepCache create(GenerationOptions o, Transformer model, int promptLength, int total,
      NDManager owner) {
    int shift = model.config().shiftedLogits() ? 1 : 0;
    return switch (o.cacheMode()) {
      case NONE -> new NoCache(total);
      case PREFIX -> new PrefixCache(total, shift, model.fromLayer(), model.toLayer(), owner);
      case DUAL -> new DualCache(total, shift, model.fromLayer(), model.toLayer(), owner);
      case COMPRESSED -> throw new IllegalArgumentException("unknown cache '" + o.cache() + "'");
    };
  }
}
