package io.maskkv.bench.load;

import java.util.List;

/**
 * One request's prompt: text (tokenized by the controller) or token ids, and the answers that count as right
 * (empty when unknown, e.g. synthetic prompts).
 */
public record LoadPrompt(String text, int[] ids, List<String> answers) {}
