package io.maskkv.common.model;

import java.util.List;

/**
 * Everything the forward pass needs to know about a model, read once from {@code config.json}.
 * One record covers both families; derived sizes are accessors, never recomputed inline.
 */
public record ModelConfig(
    ModelFamily family,
    int hiddenSize,
    int layers,
    int heads,
    int kvHeads,
    int intermediateSize,
    int vocabSize,
    double ropeTheta,
    double rmsNormEps,
    int maskTokenId,
    int eosTokenId,
    int eotTokenId,
    int bosTokenId,
    int maxPositions,
    List<Integer> extraStopIds) {

  /** A config whose only stop tokens are its EOS and EOT. */
  public ModelConfig(ModelFamily family, int hiddenSize, int layers, int heads, int kvHeads, int intermediateSize,
      int vocabSize, double ropeTheta, double rmsNormEps, int maskTokenId, int eosTokenId, int eotTokenId,
      int bosTokenId, int maxPositions) {
    this(family, hiddenSize, layers, heads, kvHeads, intermediateSize, vocabSize, ropeTheta, rmsNormEps, maskTokenId,
        eosTokenId, eotTokenId, bosTokenId, maxPositions, List.of());
  }

  public ModelConfig {
    extraStopIds = List.copyOf(extraStopIds);
    if (hiddenSize <= 0 || layers <= 0 || heads <= 0 || kvHeads <= 0 || intermediateSize <= 0 || vocabSize <= 0) {
      throw new ModelFormatException("config: sizes must be positive: " + this);
    }
    if (hiddenSize % heads != 0) {
      throw new ModelFormatException("config: hidden size " + hiddenSize + " is not divisible by " + heads + " heads");
    }
    if (heads % kvHeads != 0) {
      throw new ModelFormatException("config: " + heads + " query heads are not divisible by " + kvHeads + " KV heads");
    }
    if (maskTokenId < 0 || maskTokenId >= vocabSize) {
      throw new ModelFormatException("config: mask_token_id " + maskTokenId + " outside vocabulary of " + vocabSize);
    }
  }

  public int headDim() {
    return hiddenSize / heads;
  }

  public int kvDim() {
    return kvHeads * headDim();
  }

  /** Query heads per KV head (GQA group size; 1 for MHA). */
  public int groupSize() {
    return heads / kvHeads;
  }

  public boolean qkvBias() {
    return family == ModelFamily.DREAM;
  }

  /** Dream predicts position i from hidden row i-1 (it is initialised from an autoregressive model). */
  public boolean shiftedLogits() {
    return family == ModelFamily.DREAM;
  }

  /** Bytes of K plus V for one token in one layer, fp32, all KV heads. */
  public long kvBytesPerTokenPerLayer() {
    return 2L * kvDim() * Float.BYTES;
  }

  /** EOS, EOT, and the stop ids of generation_config.json and tokenizer_config.json ({@link StopTokens}). */
  public boolean isStopToken(int id) {
    return id == eosTokenId || (eotTokenId >= 0 && id == eotTokenId) || extraStopIds.contains(id);
  }

  /** This config with more ids that end an answer (duplicates of EOS/EOT are harmless). */
  public ModelConfig withStopIds(int... ids) {
    List<Integer> all = new java.util.ArrayList<>(extraStopIds);
    for (int id : ids) {
      if (!all.contains(id)) {
        all.add(id);
      }
    }
    return new ModelConfig(family, hiddenSize, layers, heads, kvHeads, intermediateSize, vocabSize, ropeTheta,
        rmsNormEps, maskTokenId, eosTokenId, eotTokenId, bosTokenId, maxPositions, all);
  }
}
