package io.maskkv.common.decode;

/**
 * A request's decoding parameters, shaped like the proto's {@code ResolvedOptions} groups: the denoising
 * {@link Schedule}, the {@link Sampler} and the {@link CachePolicy}. Built with {@link #builder()}, validated once
 * at the edge. Defaults follow LLaDA's generate.py (greedy, low-confidence remasking) and the Fast-dLLM prefix
 * cache.
 *
 * @param earlyStop once EOS/EOT is committed at position e, positions after e are no longer decoded (filled with
 *     EOS, as Elastic-Cache and Fast-dLLM do); the answer is cut at the first stop token either way
 */
public record GenerationOptions(Schedule schedule, Sampler sampler, CachePolicy cache, boolean earlyStop) {

  public static final int MAX_GEN_LENGTH = 4096;
  /** Elastic-Cache defaults (generate_with_elastic_cache): γ = 0.9, window 16. */
  public static final double DEFAULT_GAMMA = 0.9;
  public static final int DEFAULT_WINDOW = 16;

  /** Response length, total denoising steps and the semi-autoregressive block length. */
  public record Schedule(int genLength, int steps, int blockLength) {}

  /**
   * @param threshold Fast-dLLM parallel decoding: commit the top-1 plus every token at or above it; 0 = off
   * @param topP Dream nucleus filter (1 = off); {@code topK} 0 = off
   * @param seed seed of the random samplers and the random scorer
   * @param logitsEosInf LLaDA generate.py's {@code logits_eos_inf}: EOS is never predicted
   * @param confidenceEosEotInf LLaDA generate.py's {@code confidence_eos_eot_inf} (see {@link TokenChooser})
   * @param factor Fast-dLLM's factor-based parallel decoding ({@link Unmasking}); 0 = off, else used instead of
   *     the threshold
   * @param algTemp Dream's {@code alg_temp}: positions drawn from softmax(confidence / alg_temp); 0 = top-k
   * @param eps Dream's {@code eps}, the last timestep of its schedule (default 1e-3)
   */
  public record Sampler(double temperature, Remasking remasking, double threshold, double cfgScale, double topP,
      int topK, long seed, boolean logitsEosInf, boolean confidenceEosEotInf, double factor, double algTemp,
      double eps) {}

  /**
   * @param method {@code none}, {@code prefix}, {@code dual}, or an eviction method name ({@code full},
   *     {@code maskkv}, {@code snapkv}, ..., {@code scorer+allocator}) for a frozen, compressed prompt cache
   * @param budget average prompt KV pairs kept per head per layer (eviction methods only)
   * @param gamma Elastic-Cache attention-drift threshold γ: a layer whose tracked attention has cosine below γ
   *     triggers a recompute from the next layer on; γ ≥ 1 recomputes everything every step
   * @param window Elastic-Cache sliding window: the leftmost still-masked positions queried each step
   */
  public record CachePolicy(String method, int budget, Refresh refresh, double gamma, int window) {
    public CacheMode mode() {
      return CacheMode.parse(method);
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  public static GenerationOptions defaults() {
    return builder().build();
  }

  public Builder toBuilder() {
    return new Builder().schedule(schedule).sampler(sampler).cache(cache).earlyStop(earlyStop);
  }

  /** Checks the combination and throws {@link IllegalArgumentException} naming the bad field. */
  public GenerationOptions validated() {
    int genLength = genLength();
    if (genLength <= 0 || genLength > MAX_GEN_LENGTH) {
      throw new IllegalArgumentException("gen length must be in 1.." + MAX_GEN_LENGTH + ", got " + genLength);
    }
    int blockLength = blockLength();
    if (blockLength <= 0 || genLength % blockLength != 0) {
      throw new IllegalArgumentException(
          "block length " + blockLength + " must be positive and divide gen length " + genLength);
    }
    int blocks = genLength / blockLength;
    int steps = steps();
    if (steps <= 0 || steps % blocks != 0) {
      throw new IllegalArgumentException(
          "steps " + steps + " must be a positive multiple of the number of blocks (" + blocks + ")");
    }
    if (steps > genLength) {
      throw new IllegalArgumentException("steps " + steps + " cannot exceed gen length " + genLength);
    }
    Sampler s = sampler;
    if (!(s.temperature() >= 0 && Double.isFinite(s.temperature()))) {
      throw new IllegalArgumentException("temperature must be finite and >= 0, got " + s.temperature());
    }
    if (!(s.algTemp() >= 0) || Double.isInfinite(s.algTemp())) {
      throw new IllegalArgumentException("alg_temp must be >= 0, got " + s.algTemp());
    }
    if (!(s.eps() > 0 && s.eps() < 1)) {
      throw new IllegalArgumentException("eps must be in (0, 1), got " + s.eps());
    }
    if (!(s.factor() >= 0) || Double.isInfinite(s.factor())) {
      throw new IllegalArgumentException("factor must be >= 0, got " + s.factor());
    }
    if (!(s.threshold() >= 0 && s.threshold() <= 1)) {
      throw new IllegalArgumentException("threshold must be in [0, 1], got " + s.threshold());
    }
    if (!(s.topP() > 0 && s.topP() <= 1)) {
      throw new IllegalArgumentException("top-p must be in (0, 1], got " + s.topP());
    }
    if (s.topK() < 0) {
      throw new IllegalArgumentException("top-k must be >= 0, got " + s.topK());
    }
    if (!(s.cfgScale() >= 0 && Double.isFinite(s.cfgScale()))) {
      throw new IllegalArgumentException("cfg scale must be finite and >= 0, got " + s.cfgScale());
    }
    if (budget() < 0) {
      throw new IllegalArgumentException("budget must be >= 0, got " + budget());
    }
    Refresh refresh = refresh();
    if (refresh == Refresh.DUAL && cacheMode() != CacheMode.COMPRESSED
        || refresh == Refresh.ELASTIC && cacheMode() != CacheMode.COMPRESSED && cacheMode() != CacheMode.NONE) {
      throw new IllegalArgumentException("refresh policy '" + refresh.wireName() + "' applies on top of a prompt"
          + " cache method (full, maskkv, snapkv, ...)" + (refresh == Refresh.ELASTIC ? " or --cache none" : "")
          + ", not --cache " + method());
    }
    if (!(gamma() >= 0 && Double.isFinite(gamma()))) {
      throw new IllegalArgumentException("gamma must be finite and >= 0, got " + gamma());
    }
    if (window() <= 0) {
      throw new IllegalArgumentException("window must be positive, got " + window());
    }
    if (s.cfgScale() > 0 && cacheMode() != CacheMode.NONE) {
      throw new IllegalArgumentException("classifier-free guidance needs --cache none (got " + method() + ")");
    }
    return this;
  }

  // Flat reads for the engine's hot paths, so callers do not walk the groups for one field.

  public int genLength() {
    return schedule.genLength();
  }

  public int steps() {
    return schedule.steps();
  }

  public int blockLength() {
    return schedule.blockLength();
  }

  public double temperature() {
    return sampler.temperature();
  }

  public Remasking remasking() {
    return sampler.remasking();
  }

  public double threshold() {
    return sampler.threshold();
  }

  public double cfgScale() {
    return sampler.cfgScale();
  }

  public double topP() {
    return sampler.topP();
  }

  public int topK() {
    return sampler.topK();
  }

  public double algTemp() {
    return sampler.algTemp();
  }

  public double eps() {
    return sampler.eps();
  }

  public double factor() {
    return sampler.factor();
  }

  public boolean logitsEosInf() {
    return sampler.logitsEosInf();
  }

  public boolean confidenceEosEotInf() {
    return sampler.confidenceEosEotInf();
  }

  public long seed() {
    return sampler.seed();
  }

  /** The cache method name ({@code none}, {@code prefix}, {@code dual} or an eviction method). */
  public String method() {
    return cache.method();
  }

  public int budget() {
    return cache.budget();
  }

  public Refresh refresh() {
    return cache.refresh();
  }

  public double gamma() {
    return cache.gamma();
  }

  public int window() {
    return cache.window();
  }

  public CacheMode cacheMode() {
    return cache.mode();
  }

  public int blocks() {
    return genLength() / blockLength();
  }

  public int stepsPerBlock() {
    return steps() / blocks();
  }

  public GenerationOptions withCache(String method, int budget) {
    return toBuilder().cache(method, budget).build();
  }

  public GenerationOptions withThreshold(double t) {
    return toBuilder().threshold(t).build();
  }

  public GenerationOptions withRefresh(Refresh r, double gamma, int window) {
    return toBuilder().refresh(r).gamma(gamma).window(window).build();
  }

  public GenerationOptions withLengths(int gen, int steps, int block) {
    return toBuilder().lengths(gen, steps, block).build();
  }

  /**
   * Builds options field by field; unset fields take the defaults (gen 32, steps and block = gen length, greedy
   * low-confidence, cache {@code prefix}, budget 256, seed 42, early stop on, refresh none, γ 0.9, window 16).
   */
  public static final class Builder {
    private int genLength = 32;
    private Integer steps;
    private Integer blockLength;
    private double temperature;
    private Remasking remasking = Remasking.LOW_CONFIDENCE;
    private double threshold;
    private double cfgScale;
    private double topP = 1.0;
    private int topK;
    private boolean logitsEosInf;
    private double factor;
    private double algTemp;
    private double eps = TransferSchedule.DREAM_EPS;
    private boolean confidenceEosEotInf;
    private long seed = 42;
    private String method = "prefix";
    private int budget = 256;
    private Refresh refresh = Refresh.NONE;
    private double gamma = DEFAULT_GAMMA;
    private int window = DEFAULT_WINDOW;
    private boolean earlyStop = true;

    private Builder() {}

    /** Gen length; steps and block length follow it unless set. */
    public Builder genLength(int n) {
      this.genLength = n;
      return this;
    }

    public Builder steps(int n) {
      this.steps = n;
      return this;
    }

    public Builder blockLength(int n) {
      this.blockLength = n;
      return this;
    }

    public Builder lengths(int gen, int steps, int block) {
      return genLength(gen).steps(steps).blockLength(block);
    }

    public Builder schedule(Schedule s) {
      return lengths(s.genLength(), s.steps(), s.blockLength());
    }

    public Builder temperature(double t) {
      this.temperature = t;
      return this;
    }

    public Builder remasking(Remasking r) {
      this.remasking = r;
      return this;
    }

    public Builder threshold(double t) {
      this.threshold = t;
      return this;
    }

    public Builder cfgScale(double s) {
      this.cfgScale = s;
      return this;
    }

    public Builder topP(double p) {
      this.topP = p;
      return this;
    }

    public Builder topK(int k) {
      this.topK = k;
      return this;
    }

    public Builder algTemp(double t) {
      this.algTemp = t;
      return this;
    }

    public Builder eps(double e) {
      this.eps = e;
      return this;
    }

    public Builder factor(double f) {
      this.factor = f;
      return this;
    }

    public Builder logitsEosInf(boolean on) {
      this.logitsEosInf = on;
      return this;
    }

    public Builder confidenceEosEotInf(boolean on) {
      this.confidenceEosEotInf = on;
      return this;
    }

    public Builder seed(long s) {
      this.seed = s;
      return this;
    }

    public Builder sampler(Sampler s) {
      return temperature(s.temperature()).remasking(s.remasking()).threshold(s.threshold()).cfgScale(s.cfgScale())
          .topP(s.topP()).topK(s.topK()).seed(s.seed()).logitsEosInf(s.logitsEosInf())
          .confidenceEosEotInf(s.confidenceEosEotInf()).factor(s.factor()).algTemp(s.algTemp()).eps(s.eps());
    }

    public Builder method(String m) {
      this.method = m;
      return this;
    }

    public Builder budget(int b) {
      this.budget = b;
      return this;
    }

    public Builder cache(String m, int b) {
      return method(m).budget(b);
    }

    public Builder refresh(Refresh r) {
      this.refresh = r;
      return this;
    }

    public Builder gamma(double g) {
      this.gamma = g;
      return this;
    }

    public Builder window(int w) {
      this.window = w;
      return this;
    }

    public Builder cache(CachePolicy c) {
      return cache(c.method(), c.budget()).refresh(c.refresh()).gamma(c.gamma()).window(c.window());
    }

    public Builder earlyStop(boolean e) {
      this.earlyStop = e;
      return this;
    }

    /** The options as given (call {@link GenerationOptions#validated()} at the edge). */
    public GenerationOptions build() {
      return new GenerationOptions(
          new Schedule(genLength, steps != null ? steps : genLength, blockLength != null ? blockLength : genLength),
          new Sampler(temperature, remasking, threshold, cfgScale, topP, topK, seed, logitsEosInf,
              confidenceEosEotInf, factor, algTemp, eps),
          new CachePolicy(method, budget, refresh, gamma, window), earlyStop);
    }
  }
}
