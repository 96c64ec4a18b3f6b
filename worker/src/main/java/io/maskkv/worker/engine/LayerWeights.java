package io.maskkv.worker.engine;

import ai.djl.ndarray.NDArray;

/**
 * One transformer block's weights. Projection matrices are held transposed ({@code [in, out]}) so the
 * forward multiplies {@code x.matMul(w)} with the activation on the left: results then belong to the
 * step's NDManager, never to the long-lived model manager.
 */
public record LayerWeights(
    NDArray attnNorm, // [d]
    NDArray wq, // [d, H*hd]
    NDArray wk, // [d, KV*hd]
    NDArray wv, // [d, KV*hd]
    NDArray bq, // [H*hd] or null
    NDArray bk, // [KV*hd] or null
    NDArray bv, // [KV*hd] or null
    NDArray wo, // [H*hd, d]
    NDArray ffnNorm, // [d]
    NDArray wGate, // [d, ffn]
    NDArray wUp, // [d, ffn]
    NDArray wDown) { // [ffn, d]
}
