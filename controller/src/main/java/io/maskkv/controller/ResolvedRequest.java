package io.maskkv.controller;

import io.maskkv.common.decode.GenerationOptions;

/**
 * A validated request: its model, prompt token ids, options with every default filled in, and the per-layer
 * budget plan (eviction methods; null otherwise).
 */
public record ResolvedRequest(ServedModel model, int[] prompt, GenerationOptions options, int[] plan,
    boolean includeEvictions, boolean includeKeptPositions) {}
