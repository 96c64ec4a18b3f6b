package io.maskkv.common.budget;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The one registry of eviction methods and allocators. A method name is a paper's method, or
 * {@code scorer+allocator} for any pairing (e.g. {@code snapkv+maskkv}, {@code mask-voting+uniform}).
 */
public final class EvictionMethods {
  /** Scorer names the engine implements. */
  public static final List<String> SCORERS = List.of("mask-voting", "snapkv", "streaming", "random");

  private static final Map<String, Allocator> ALLOCATORS = new LinkedHashMap<>();
  private static final Map<String, EvictionMethod> METHODS = new LinkedHashMap<>();

  static {
    allocator(new Allocator("uniform", new UniformLayers(), new UniformHeads()));
    allocator(new Allocator("pyramidkv", new PyramidLayers(), new UniformHeads()));
    allocator(new Allocator("squeezeattention", new SqueezeLayers(), new UniformHeads()));
    allocator(new Allocator("adakv", new UniformLayers(), new AdaKvHeads()));
    allocator(new Allocator("maskkv", new MaskKvLayers(), new PreferenceHeads()));

    method("full", null, null);
    method("maskkv", "mask-voting", "maskkv");
    method("snapkv", "snapkv", "uniform");
    method("pyramidkv", "snapkv", "pyramidkv");
    method("squeezeattention", "snapkv", "squeezeattention");
    method("adakv", "snapkv", "adakv");
    method("streamingllm", "streaming", "uniform");
    method("random", "random", "uniform");
  }

  private EvictionMethods() {}

  private static void allocator(Allocator a) {
    ALLOCATORS.put(a.name(), a);
  }

  private static void method(String name, String scorer, String allocator) {
    METHODS.put(name, new EvictionMethod(name, scorer, allocator == null ? null : ALLOCATORS.get(allocator)));
  }

  public static List<String> names() {
    return List.copyOf(METHODS.keySet());
  }

  public static boolean exists(String name) {
    try {
      parse(name);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  public static EvictionMethod parse(String name) {
    String n = name.trim().toLowerCase(Locale.ROOT);
    Map<String, String> aliases = Map.of("squeeze", "squeezeattention", "streaming", "streamingllm",
        "pyramid", "pyramidkv");
    n = aliases.getOrDefault(n, n);
    EvictionMethod m = METHODS.get(n);
    if (m != null) {
      return m;
    }
    int plus = n.indexOf('+');
    if (plus > 0) {
      String scorer = n.substring(0, plus);
      String alloc = n.substring(plus + 1);
      alloc = aliases.getOrDefault(alloc, alloc);
      if (!SCORERS.contains(scorer)) {
        throw new IllegalArgumentException("unknown scorer '" + scorer + "' in '" + name + "' (scorers: " + SCORERS
            + ")");
      }
      Allocator a = ALLOCATORS.get(alloc);
      if (a == null) {
        throw new IllegalArgumentException("unknown allocator '" + alloc + "' in '" + name + "' (allocators: "
            + ALLOCATORS.keySet() + ")");
      }
      return new EvictionMethod(n, scorer, a);
    }
    throw new IllegalArgumentException("unknown cache method '" + name + "' (expected none, prefix, dual, "
        + String.join(", ", METHODS.keySet()) + ", or scorer+allocator)");
  }
}
