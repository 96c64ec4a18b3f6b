package io.maskkv.common.budget;

/**
 * An eviction method: a scorer (the engine owns the scoring code) and an allocator. {@code full} has neither: it
 * keeps every prompt position.
 */
public record EvictionMethod(String name, ScorerKind scorer, Allocator allocator) {
  public boolean keepsEverything() {
    return scorer == null;
  }
}
