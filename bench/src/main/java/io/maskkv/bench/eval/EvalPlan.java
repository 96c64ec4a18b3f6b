package io.maskkv.bench.eval;

import io.maskkv.common.budget.EvictionMethods;
import io.maskkv.common.decode.CacheMode;
import io.maskkv.common.decode.GenerationOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * What to run on every record: the {@code full} reference once, then each compressing method at each budget,
 * all with the same decoding options apart from the cache.
 *
 * @param methods compressing methods in the order given, canonical names, without {@code full}
 * @param budgets positive, ascending, without duplicates
 * @param options decoding options; their cache and budget are replaced per run
 */
public record EvalPlan(List<String> methods, List<Integer> budgets, GenerationOptions options) {
  /** The reference: the frozen prompt cache with nothing evicted (MaskKV's "dLLM w/ cache"). */
  public static final String FULL = "full";

  /** The methods {@code ./maskkv eval} runs when none are given. */
  public static final String DEFAULT_METHODS = "full,maskkv,snapkv,pyramidkv,squeezeattention,adakv,streamingllm,random";

  public static final String DEFAULT_BUDGETS = "8,16,32,64,128";

  public EvalPlan {
    methods = List.copyOf(methods);
    budgets = List.copyOf(budgets);
    options = options.validated();
    if (!methods.isEmpty() && budgets.isEmpty()) {
      throw new IllegalArgumentException("no budgets given for methods " + methods);
    }
    for (int b : budgets) {
      if (b <= 0) {
        throw new IllegalArgumentException("budgets must be positive, got " + b);
      }
    }
  }

  /** Parses {@code --methods} and {@code --budgets} and checks both; the options' cache is ignored. */
  public static EvalPlan of(String methods, String budgets, GenerationOptions options) {
    return new EvalPlan(parseMethods(methods), parseBudgets(budgets), options);
  }

  /**
   * Comma-separated method names: {@code full}, the paper methods of {@link EvictionMethods}, aliases
   * ({@code streaming}, {@code pyramid}, {@code squeeze}) and {@code scorer+allocator} pairs. {@code full}
   * is dropped from the result because it always runs (every retention is relative to it); duplicates are
   * dropped too. Anything that is not an eviction method ({@code prefix}, {@code none}, typos) is an error.
   */
  public static List<String> parseMethods(String csv) {
    List<String> out = new ArrayList<>();
    for (String raw : split(csv, "--methods")) {
      if (CacheMode.parse(raw) != CacheMode.COMPRESSED) {
        throw new IllegalArgumentException("--methods: '" + raw + "' is a cache mode, not an eviction method "
            + "(methods: " + String.join(", ", EvictionMethods.names()) + ", or scorer+allocator)");
      }
      String name;
      try {
        name = EvictionMethods.parse(raw).name();
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("--methods: " + e.getMessage(), e);
      }
      if (!name.equals(FULL) && !out.contains(name)) {
        out.add(name);
      }
    }
    return out;
  }

  /** Comma-separated positive integers, returned ascending without duplicates. */
  public static List<Integer> parseBudgets(String csv) {
    TreeSet<Integer> out = new TreeSet<>();
    for (String raw : split(csv, "--budgets")) {
      int b;
      try {
        b = Integer.parseInt(raw);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("--budgets: '" + raw + "' is not an integer");
      }
      if (b <= 0) {
        throw new IllegalArgumentException("--budgets: budgets must be positive, got " + b);
      }
      out.add(b);
    }
    return new ArrayList<>(out);
  }

  /** Generations per record: the full reference plus every method at every budget. */
  public int runsPerRecord() {
    return 1 + methods.size() * budgets.size();
  }

  /** The options for one run; {@code budget} is ignored (0) for {@link #FULL}. */
  public GenerationOptions optionsFor(String method, int budget) {
    return options.withCache(method, method.equals(FULL) ? 0 : budget);
  }

  private static List<String> split(String csv, String flag) {
    if (csv == null || csv.isBlank()) {
      throw new IllegalArgumentException(flag + " is empty");
    }
    List<String> out = new ArrayList<>();
    for (String part : csv.split(",")) {
      String p = part.strip();
      if (p.isEmpty()) {
        throw new IllegalArgumentException(flag + ": empty entry in '" + csv + "'");
      }
      out.add(p);
    }
    return out;
  }
}
