package io.maskkv.common.decode;

import java.util.List;

/**
 * One denoising step's outcome: the positions it committed (response-relative) with their tokens and
 * confidences, and how long the step took.
 */
public record StepEvent(int step, int block, List<Candidate> committed, int rowsFed, long kvBytes, long nanos) {}
