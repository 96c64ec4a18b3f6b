package io.maskkv.common.decode;

/**
 * A request's decoding parameters, validated once at the edge. Defaults follow LLaDA's generate.py
 * (greedy, low-confidence remasking) and MaskKV's evaluation setting (block length 8 is the caller's choice).
 *
 * @param cache {@code none}, {@code prefix}, {@code dual}, or an eviction method name ({@code full},
 *     {@code maskkv}, {@code snapkv}, ..., {@code scorer+allocator}) for a frozen, compressed prompt cache
 * @param budget average prompt KV pairs kept per head per layer (eviction methods only)
 * @param threshold Fast-dLLM parallel decoding: commit the top-1 plus every token at or above it; 0 = off
 * @param topP Dream nucleus filter (1 = off); {@code topK} 0 = off
 * @param earlyStop once EOS/EOT is committed at position e, positions after e are no longer decoded (filled with
 *     EOS, as Elastic-Cache and Fast-dLLM do); the answer is cut at the first stop token either way
 * @param refresh response-side policy on top of a frozen prompt cache: {@code none} (recompute the response rows
 *     every step), {@code dual} (Fast-dLLM dual cache over the response), {@code elastic} (Elastic-Cache)
 * @param gamma Elastic-Cache attention-drift threshold γ: a layer whose tracked attention has cosine below γ
 *     triggers a recompute from the next layer on; γ ≥ 1 recomputes everything every step
 * @param window Elastic-Cache sliding window: the leftmost still-masked positions queried each step
 */
public record GenerationOptions(
    int genLength,
    int steps,
    int blockLength,
    double temperature,
    Remasking remasking,
    double threshold,
    double cfgScale,
    double topP,
    int topK,
    String cache,
    int budget,
    long seed,
    boolean earlyStop,
    String refresh,
    double gamma,
    int window) {

  public static final int MAX_GEN_LENGTH = 4096;
  /** Elastic-Cache defaults (generate_with_elastic_cache): γ = 0.9, window 16. */
  public static final double DEFAULT_GAMMA = 0.9;
  public static final int DEFAULT_WINDOW = 16;

  /** Options with the default refresh policy ({@code none}: response rows recomputed every step). */
  public GenerationOptions(int genLength, int steps, int blockLength, double temperature, Remasking remasking,
      double threshold, double cfgScale, double topP, int topK, String cache, int budget, long seed,
      boolean earlyStop) {
    this(genLength, steps, blockLength, temperature, remasking, threshold, cfgScale, topP, topK, cache, budget, seed,
        earlyStop, "none", DEFAULT_GAMMA, DEFAULT_WINDOW);
  }

  public static GenerationOptions defaults() {
    return new GenerationOptions(32, 32, 32, 0.0, Remasking.LOW_CONFIDENCE, 0.0, 0.0, 1.0, 0, "prefix", 256, 42,
        true);
  }

  /** Checks the combination and throws {@link IllegalArgumentException} naming the bad field. */
  public GenerationOptions validated() {
    if (genLength <= 0 || genLength > MAX_GEN_LENGTH) {
      throw new IllegalArgumentException("gen length must be in 1.." + MAX_GEN_LENGTH + ", got " + genLength);
    }
    if (blockLength <= 0 || genLength % blockLength != 0) {
      throw new IllegalArgumentException(
          "block length " + blockLength + " must be positive and divide gen length " + genLength);
    }
    int blocks = genLength / blockLength;
    if (steps <= 0 || steps % blocks != 0) {
      throw new IllegalArgumentException(
          "steps " + steps + " must be a positive multiple of the number of blocks (" + blocks + ")");
    }
    if (steps > genLength) {
      throw new IllegalArgumentException("steps " + steps + " cannot exceed gen length " + genLength);
    }
    if (temperature < 0 || Double.isNaN(temperature)) {
      throw new IllegalArgumentException("temperature must be >= 0, got " + temperature);
    }
    if (threshold < 0 || threshold > 1) {
      throw new IllegalArgumentException("threshold must be in [0, 1], got " + threshold);
    }
    if (topP <= 0 || topP > 1) {
      throw new IllegalArgumentException("top-p must be in (0, 1], got " + topP);
    }
    if (topK < 0) {
      throw new IllegalArgumentException("top-k must be >= 0, got " + topK);
    }
    if (cfgScale < 0) {
      throw new IllegalArgumentException("cfg scale must be >= 0, got " + cfgScale);
    }
    if (budget < 0) {
      throw new IllegalArgumentException("budget must be >= 0, got " + budget);
    }
    if (!java.util.List.of("none", "dual", "elastic").contains(refresh)) {
      throw new IllegalArgumentException("unknown refresh policy '" + refresh + "' (expected none, dual or elastic)");
    }
    if (refresh.equals("dual") && cacheMode() != CacheMode.COMPRESSED
        || refresh.equals("elastic") && cacheMode() != CacheMode.COMPRESSED && cacheMode() != CacheMode.NONE) {
      throw new IllegalArgumentException("refresh policy '" + refresh + "' applies on top of a prompt cache method"
          + " (full, maskkv, snapkv, ...)" + (refresh.equals("elastic") ? " or --cache none" : "")
          + ", not --cache " + cache);
    }
    if (gamma < 0 || Double.isNaN(gamma)) {
      throw new IllegalArgumentException("gamma must be >= 0, got " + gamma);
    }
    if (window <= 0) {
      throw new IllegalArgumentException("window must be positive, got " + window);
    }
    if (cfgScale > 0 && cacheMode() != CacheMode.NONE) {
      throw new IllegalArgumentException("classifier-free guidance needs --cache none (got " + cache + ")");
    }
    return this;
  }

  public CacheMode cacheMode() {
    return CacheMode.parse(cache);
  }

  public int blocks() {
    return genLength / blockLength;
  }

  public int stepsPerBlock() {
    return steps / blocks();
  }

  public GenerationOptions withCache(String c, int b) {
    return new GenerationOptions(genLength, steps, blockLength, temperature, remasking, threshold, cfgScale, topP,
        topK, c, b, seed, earlyStop, refresh, gamma, window);
  }

  public GenerationOptions withThreshold(double t) {
    return new GenerationOptions(genLength, steps, blockLength, temperature, remasking, t, cfgScale, topP, topK,
        cache, budget, seed, earlyStop, refresh, gamma, window);
  }

  public GenerationOptions withRefresh(String r, double g, int w) {
    return new GenerationOptions(genLength, steps, blockLength, temperature, remasking, threshold, cfgScale, topP,
        topK, cache, budget, seed, earlyStop, r, g, w);
  }

  public GenerationOptions withLengths(int gen, int st, int block) {
    return new GenerationOptions(gen, st, block, temperature, remasking, threshold, cfgScale, topP, topK, cache,
        budget, seed, earlyStop, refresh, gamma, window);
  }
}
