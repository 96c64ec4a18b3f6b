package io.maskkv.common.budget;

/**
 * An eviction method: a scorer (the engine owns the scoring code) and an allocator. {@code full} has neither: it
 * keeps every prompt position.
 *
 * @param revote whether the prompt is chosen again at every step, by the answer so far and the masks of the
 *     current block and the next, from the whole prompt K/V kept at hand, instead of once at the first step.
 *     One-shot eviction knows only what the first step's masks ask for; a several-hop answer names what it needs
 *     next only as it decodes.
 */
public record EvictionMethod(String name, ScorerKind scorer, Allocator allocator, boolean revote) {
  public EvictionMethod(String name, ScorerKind scorer, Allocator allocator) {
    this(name, scorer, allocator, false);
  }

  public boolean keepsEverything() {
    return scorer == null;
  }
}
