package io.maskkv.controller;

import io.maskkv.common.model.ModelConfig;
import io.maskkv.common.text.PromptTemplate;
import io.maskkv.common.text.TextTokenizer;

/**
 * What the controller knows of one model: its config, tokenizer (null when the model folder has none: token-id
 * prompts only), chat template (the folder's own from tokenizer_config.json, else the family's) and MaskKV layer
 * profile, all fetched from the workers that serve it.
 */
public record ServedModel(String name, ModelConfig config, TextTokenizer tokenizer, PromptTemplate template,
    double[] profile, boolean hasProfile) {}
