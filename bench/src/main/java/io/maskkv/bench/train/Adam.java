package io.maskkv.bench.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Adam with linear warm-up, written by hand because a checkpoint must hold the moments (DJL's Adam keeps them
 * private). Updates run outside the gradient collector, in place, and zero each gradient after use (DJL's PyTorch
 * collector does not: its zeroGradients() call is commented out).
 */
final class Adam {
  static final float BETA1 = 0.9f;
  static final float BETA2 = 0.99f;
  static final float EPS = 1e-8f;
  static final double CLIP = 1.0;

  final Map<String, NDArray> m = new LinkedHashMap<>();
  final Map<String, NDArray> v = new LinkedHashMap<>();

  Adam(Map<String, NDArray> params, NDManager manager) {
    params.forEach((n, p) -> {
      m.put(n, manager.zeros(p.getShape()));
      v.put(n, manager.zeros(p.getShape()));
    });
  }

  /**
   * @param trainable per-element masks (1 or 0) multiplied into the named tensors' gradients before anything else,
   *     so fixed elements neither move nor count toward the clipping norm; tensors not named train fully
   * @param step 1-based step number (bias correction)
   * @return false when the gradient was not finite and the step was skipped
   */
  boolean update(Map<String, NDArray> params, Map<String, NDArray> trainable, double lr, long step,
      NDManager scratch) {
    double c1 = 1 - Math.pow(BETA1, step);
    double c2 = 1 - Math.pow(BETA2, step);
    // global-norm clipping (as in the training.md trial): one bad batch must not blow the weights up
    Map<String, NDArray> grads = new LinkedHashMap<>();
    double sq = 0;
    for (Map.Entry<String, NDArray> e : params.entrySet()) {
      NDArray g = e.getValue().getGradient();
      g.attach(scratch);
      NDArray mask = trainable.get(e.getKey());
      if (mask != null) {
        g.muli(mask);
      }
      grads.put(e.getKey(), g);
      sq += g.square().sum().getFloat();
    }
    double norm = Math.sqrt(sq);
    if (!Double.isFinite(norm)) { // skip the batch rather than poison the weights and both moments
      grads.values().forEach(g -> g.muli(0));
      return false;
    }
    float scale = norm > CLIP ? (float) (CLIP / norm) : 1f;
    for (Map.Entry<String, NDArray> e : params.entrySet()) {
      NDArray p = e.getValue();
      NDArray g = grads.get(e.getKey());
      if (scale != 1f) {
        g.muli(scale);
      }
      NDArray mi = m.get(e.getKey());
      NDArray vi = v.get(e.getKey());
      mi.muli(BETA1).addi(g.mul(1 - BETA1));
      vi.muli(BETA2).addi(g.square().mul(1 - BETA2));
      NDArray mh = mi.duplicate(); // ops on the moments themselves would leave results in the long-lived manager
      NDArray vh = vi.duplicate();
      mh.attach(scratch);
      vh.attach(scratch);
      NDArray stepSize = mh.div((float) c1).div(vh.div((float) c2).sqrt().add(EPS)).mul((float) lr);
      p.subi(stepSize);
      g.muli(0); // the collector accumulates otherwise
    }
    return true;
  }
}
