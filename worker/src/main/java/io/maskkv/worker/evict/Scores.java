package io.maskkv.worker.evict;

/**
 * A layer's token scores per KV head {@code [kvHeads][promptLength]} and, where the scorer measures it, each
 * head's prompt preference (share of attention mass on the prompt, MaskKV eq. 14); null otherwise.
 */
public record Scores(float[][] perHead, double[] preference) {}
