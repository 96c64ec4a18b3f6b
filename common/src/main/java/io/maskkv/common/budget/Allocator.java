package io.maskkv.common.budget;

/** A budget allocator: how the total is split over layers (ahead of time) and over heads (per layer, online). */
public record Allocator(String name, LayerSplit layers, HeadSplit heads) {}
