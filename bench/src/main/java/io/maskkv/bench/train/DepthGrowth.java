package io.maskkv.bench.train;

import ai.djl.ndarray.NDArray;
import io.maskkv.common.model.ModelConfig;
import io.maskkv.worker.checkpoint.TensorNames;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Starting a deeper model from a trained shallower one (Net2DeeperNet, Chen et al. 2016, §3.2): the trained layers
 * keep their place and the new ones are appended as identity blocks, so the grown model computes exactly what the
 * folder's did at step 0 and training only adds to it. A pre-norm block is the identity when its two output
 * projections (attention out, FFN down) are zero; its other weights keep their random start, so the first update of
 * the output projections already sees useful features.
 */
final class DepthGrowth {
  private DepthGrowth() {}

  /** Whether {@code want} is {@code have} with more layers and nothing else changed. */
  static boolean grows(ModelConfig have, ModelConfig want) {
    return have.layers() < want.layers() && new ModelConfig(have.family(), have.hiddenSize(), want.layers(),
        have.heads(), have.kvHeads(), have.intermediateSize(), have.vocabSize(), have.ropeTheta(), have.rmsNormEps(),
        have.maskTokenId(), have.eosTokenId(), have.eotTokenId(), have.bosTokenId(), have.maxPositions(),
        have.extraStopIds()).equals(want);
  }

  /**
   * Zeroes the output projections of layers {@code from..to-1} and returns every tensor name of those layers (the
   * ones a folder with {@code from} layers does not have).
   */
  static Set<String> identityLayers(Map<String, NDArray> params, TensorNames names, int from, int to) {
    Set<String> added = new LinkedHashSet<>();
    for (int l = from; l < to; l++) {
      NDArray out = params.get(names.attnOut(l));
      NDArray down = params.get(names.down(l));
      out.set(new float[Math.toIntExact(out.size())]);
      down.set(new float[Math.toIntExact(down.size())]);
      added.addAll(List.of(names.attnNorm(l), names.q(l), names.k(l), names.v(l), names.attnOut(l), names.ffnNorm(l),
          names.gate(l), names.up(l), names.down(l)));
    }
    return added;
  }
}
