package io.maskkv.bench.train;

/**
 * What a resumed run may change for its next stage (the curriculum's longer prompts, another task mix, a cool-down
 * learning rate, the switch from the pretrain objective to the answer-only one); null keeps the checkpoint's value.
 * Everything else (the model's shape, the seed, the start) stays the checkpoint's.
 */
public record Stage(Integer length, Integer batch, String task, Double learningRate, TrainConfig.Objective objective,
    Double fillerRatio) {
  /** Continue exactly as the checkpoint was running. */
  public static final Stage SAME = new Stage(null, null, null, null, null, null);

  com.fasterxml.jackson.databind.node.ObjectNode applyTo(com.fasterxml.jackson.databind.node.ObjectNode cfg) {
    if (length != null) {
      cfg.put("length", length);
    }
    if (batch != null) {
      cfg.put("batch", batch);
    }
    if (task != null) {
      cfg.put("task", task);
    }
    if (learningRate != null) {
      cfg.put("learningRate", learningRate);
    }
    if (objective != null) {
      cfg.put("objective", objective.name());
      if (objective == TrainConfig.Objective.ANSWER && fillerRatio == null) {
        cfg.put("fillerRatio", 0.0); // the answer objective has no filler sequences to supervise
      }
    }
    if (fillerRatio != null) {
      cfg.put("fillerRatio", fillerRatio);
    }
    return cfg;
  }
}
