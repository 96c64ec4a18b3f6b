package io.maskkv.common.decode;

/**
 * What the driver asks of the model for one denoising step: the current block, whether this is its first
 * step, the whole token sequence (prompt, committed tokens, masks) and the masked positions of the block
 * that need a candidate. Every shard derives the same rows to feed from it.
 */
public record StepRequest(int blockStart, int blockEnd, boolean firstOfBlock, int[] sequence, int[] masked) {}
