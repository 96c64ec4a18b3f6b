package io.maskkv.controller;

import io.maskkv.common.budget.BudgetPlan;
import io.maskkv.common.decode.GenerationOptions;

/**
 * A validated request: its model, prompt token ids, options with every default filled in, and the per-layer
 * budget plan, computed once here and sent to every shard.
 */
public record ResolvedRequest(ServedModel model, int[] prompt, GenerationOptions options, BudgetPlan plan,
    boolean includeEvictions, boolean includeKeptPositions) {}
