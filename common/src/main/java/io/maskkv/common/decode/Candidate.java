package io.maskkv.common.decode;

/** The best token proposed for one masked position and the confidence that ranks it. */
public record Candidate(int position, int token, double confidence) {}
