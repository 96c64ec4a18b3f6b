package io.maskkv.common.budget;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The one registry of eviction methods: the controller's validation, the CLI help, the eval defaults and the tests
 * all read it. A method name is a paper's method, or {@code scorer+allocator} for any pairing of a
 * {@link ScorerKind} and an allocator registered here (e.g. {@code snapkv+maskkv}, {@code mask-voting+uniform}).
 * Adding a method that pairs existing parts is one {@code method(...)} line below.
 */
public final class EvictionMethods {
  private static final Map<String, Allocator> ALLOCATORS = new LinkedHashMap<>();
  private static final Map<String, EvictionMethod> METHODS = new LinkedHashMap<>();

  static {
    allocator(new Allocator("uniform", new UniformLayers(), new UniformHeads()));
    allocator(new Allocator("pyramidkv", new PyramidLayers(), new UniformHeads()));
    allocator(new Allocator("squeezeattention", new SqueezeLayers(), new UniformHeads()));
    allocator(new Allocator("adakv", new UniformLayers(), new AdaKvHeads()));
    allocator(new Allocator("maskkv", new MaskKvLayers(), new PreferenceHeads()));

    method("full", null, null);
    method("maskkv", ScorerKind.MASK_VOTING, "maskkv");
    revoting("maskkv-revote", ScorerKind.MASK_VOTING, "maskkv");
    method("snapkv", ScorerKind.SNAPKV, "uniform");
    method("snapkv-shrink", ScorerKind.SNAPKV_SHRINK, "uniform");
    method("pyramidkv", ScorerKind.SNAPKV, "pyramidkv");
    method("squeezeattention", ScorerKind.SNAPKV, "squeezeattention");
    method("adakv", ScorerKind.SNAPKV, "adakv");
    method("streamingllm", ScorerKind.STREAMING, "uniform");
    method("random", ScorerKind.RANDOM, "uniform");
  }

  private EvictionMethods() {}

  private static void allocator(Allocator a) {
    ALLOCATORS.put(a.name(), a);
  }

  private static void method(String name, ScorerKind scorer, String allocator) {
    METHODS.put(name, new EvictionMethod(name, scorer, allocator == null ? null : ALLOCATORS.get(allocator)));
  }

  /** A method that chooses the prompt again at each step (see {@link EvictionMethod#revote}). */
  private static void revoting(String name, ScorerKind scorer, String allocator) {
    METHODS.put(name, new EvictionMethod(name, scorer, ALLOCATORS.get(allocator), true));
  }

  /** The named methods, {@code full} first. */
  public static List<String> names() {
    return List.copyOf(METHODS.keySet());
  }

  private static boolean pairs(ScorerKind scorer, Allocator allocator) {
    return scorer.measuresPreference() || !allocator.heads().needsPreference();
  }

  /** The allocator names, for {@code scorer+allocator} pairings. */
  public static List<String> allocators() {
    return List.copyOf(ALLOCATORS.keySet());
  }

  /** Every scorer paired with every allocator: what a test must cover beyond the named methods. */
  public static List<String> pairings() {
    List<String> out = new java.util.ArrayList<>();
    for (ScorerKind scorer : ScorerKind.values()) {
      for (Allocator allocator : ALLOCATORS.values()) {
        if (pairs(scorer, allocator)) {
          out.add(scorer.wireName() + "+" + allocator.name());
        }
      }
    }
    return out;
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
      if (!ScorerKind.names().contains(scorer)) {
        throw new IllegalArgumentException("unknown scorer '" + scorer + "' in '" + name + "' (scorers: "
            + ScorerKind.names() + ")");
      }
      Allocator a = ALLOCATORS.get(alloc);
      if (a == null) {
        throw new IllegalArgumentException("unknown allocator '" + alloc + "' in '" + name + "' (allocators: "
            + ALLOCATORS.keySet() + ")");
      }
      ScorerKind kind = ScorerKind.parse(scorer);
      if (!pairs(kind, a)) {
        throw new IllegalArgumentException("allocator '" + a.name() + "' splits heads by prompt preference, which"
            + " scorer '" + scorer + "' does not measure (use mask-voting or snapkv with it)");
      }
      return new EvictionMethod(n, kind, a);
    }
    throw new IllegalArgumentException("unknown cache method '" + name + "' (expected none, prefix, dual, "
        + String.join(", ", METHODS.keySet()) + ", or scorer+allocator)");
  }
}
