package io.maskkv.bench.train;

/**
 * What a resumed run may change for its next stage (the curriculum's longer prompts, another task mix, a cool-down
 * learning rate or schedule, suffix masking of the answer, the switch from the pretrain or mixed objective to the
 * answer-only one); null keeps the checkpoint's value.
 * Everything else (the model's shape, the seed, the start) stays the checkpoint's.
 */
public record Stage(Integer length, Integer batch, String task, Double learningRate, TrainConfig.Objective objective,
    Double fillerRatio, Double answerShare, Long decayFrom, Long decayTo, Double minLearningRate, Double suffixMask) {
  /** Continue exactly as the checkpoint was running. */
  public static final Stage SAME = new Stage(null, null, null, null, null, null);

  /** A stage that keeps the checkpoint's answer share and learning-rate schedule. */
  public Stage(Integer length, Integer batch, String task, Double learningRate, TrainConfig.Objective objective,
      Double fillerRatio) {
    this(length, batch, task, learningRate, objective, fillerRatio, null, null, null, null, null);
  }

  /** A stage that keeps the checkpoint's answer masking. */
  public Stage(Integer length, Integer batch, String task, Double learningRate, TrainConfig.Objective objective,
      Double fillerRatio, Double answerShare, Long decayFrom, Long decayTo, Double minLearningRate) {
    this(length, batch, task, learningRate, objective, fillerRatio, answerShare, decayFrom, decayTo, minLearningRate,
        null);
  }

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
      if (objective == TrainConfig.Objective.PRETRAIN && suffixMask == null) {
        cfg.put("suffixMask", 0.0); // pretrain sequences have no answer slots to mask as a tail
      }
    }
    if (fillerRatio != null) {
      cfg.put("fillerRatio", fillerRatio);
    }
    if (answerShare != null) {
      cfg.put("answerShare", answerShare);
    }
    if (decayFrom != null) {
      cfg.put("decayFrom", decayFrom);
    }
    if (decayTo != null) {
      cfg.put("decayTo", decayTo);
    }
    if (minLearningRate != null) {
      cfg.put("minLearningRate", minLearningRate);
    } else if (decayTo != null && cfg.path("minLearningRate").asDouble(0) == 0) {
      cfg.put("minLearningRate", cfg.get("learningRate").asDouble() / 10); // a schedule new to this run: lr/10
    }
    if (suffixMask != null) {
      cfg.put("suffixMask", suffixMask);
    }
    return cfg;
  }
}
