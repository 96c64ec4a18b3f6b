package io.maskkv.server;

import io.maskkv.common.budget.EvictionMethods;
import io.maskkv.common.decode.GenerationOptions;
import io.maskkv.common.decode.Refresh;
import io.maskkv.common.decode.Remasking;
import io.maskkv.proto.v1.CachePolicy;
import io.maskkv.proto.v1.GenerateRequest;
import io.maskkv.proto.v1.SamplerOptions;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * The generation flags, declared once for every command that generates. An unset flag is null: in process it
 * takes {@link GenerationOptions.Builder}'s default, over gRPC the controller's.
 */
public final class GenerationFlags {
  @Option(names = "--gen-length", description = "response length in tokens (default: 32)")
  Integer genLength;

  @Option(names = "--steps", description = "denoising steps (default: gen length)")
  Integer steps;

  @Option(names = "--block-length", description = "semi-autoregressive block length (default: gen length)")
  Integer blockLength;

  @Option(names = "--cache", completionCandidates = CacheNames.class,
      description = "${COMPLETION-CANDIDATES} or scorer+allocator (default: prefix)")
  String cache;

  @Option(names = "--budget", description = "prompt KV pairs kept per head per layer on average (eviction methods;"
      + " default: 256)")
  Integer budget;

  @Option(names = "--refresh", description = "response-side refresh on top of a prompt cache: none | dual | elastic"
      + " (elastic also with --cache none) (default: none)")
  String refresh;

  @Option(names = "--gamma", description = "Elastic-Cache drift threshold (1 = always refresh; default: 0.9)")
  Double gamma;

  @Option(names = "--window", description = "Elastic-Cache sliding window of masked positions (default: 16)")
  Integer window;

  @Option(names = "--temperature", description = "sampling temperature (default: 0, greedy)")
  Double temperature;

  @Option(names = "--remasking",
      description = "low-confidence | random | entropy | maskgit-plus | topk-margin | origin (Dream's alg)")
  String remasking;

  @Option(names = "--threshold",
      description = "Fast-dLLM parallel decoding: commit every token with confidence >= C (default: 0, off)")
  Double threshold;

  @Option(names = "--cfg", description = "classifier-free guidance scale (needs --cache none; default: 0)")
  Double cfg;

  @Option(names = "--top-p", description = "nucleus filter (default: 1, off)")
  Double topP;

  @Option(names = "--top-k", description = "top-k filter (default: 0, off)")
  Integer topK;

  @Option(names = "--seed", description = "seed of the random samplers and scorer (default: 42)")
  Long seed;

  @Option(names = "--early-stop", negatable = true, arity = "0..1", fallbackValue = "true",
      description = "once EOS is committed, stop decoding the positions after it (default: on; --no-early-stop or "
          + "--early-stop false decodes every position)")
  Boolean earlyStop;

  @Option(names = "--alg-temp", description = "Dream's alg_temp: draw the committed positions from "
      + "softmax(confidence / T) instead of the top-k (default: 0)")
  Double algTemp;

  @Option(names = "--eps", description = "Dream's eps, the last timestep of its schedule (default: 0.001)")
  Double eps;

  @Option(names = "--factor", description = "Fast-dLLM's factor-based parallel decoding: commit the n-th most "
      + "confident token while its confidence >= 1 - F/(n+1) (default: 0, off)")
  Double factor;

  @Option(names = "--logits-eos-inf", description = "LLaDA's logits_eos_inf: never predict EOS")
  boolean logitsEosInf;

  @Option(names = "--confidence-eos-eot-inf", description = "LLaDA's confidence_eos_eot_inf: an EOT prediction "
      + "ranks last")
  boolean confidenceEosEotInf;

  /** The options for in-process generation: the flags given, defaults for the rest, validated. */
  public GenerationOptions options() {
    GenerationOptions.Builder b = GenerationOptions.builder();
    if (genLength != null) {
      b.genLength(genLength);
    }
    if (steps != null) {
      b.steps(steps);
    }
    if (blockLength != null) {
      b.blockLength(blockLength);
    }
    if (cache != null) {
      b.method(cache);
    }
    if (budget != null) {
      b.budget(budget);
    }
    if (refresh != null) {
      b.refresh(Refresh.parse(refresh));
    }
    if (gamma != null) {
      b.gamma(gamma);
    }
    if (window != null) {
      b.window(window);
    }
    if (temperature != null) {
      b.temperature(temperature);
    }
    if (remasking != null) {
      b.remasking(Remasking.parse(remasking));
    }
    if (threshold != null) {
      b.threshold(threshold);
    }
    if (cfg != null) {
      b.cfgScale(cfg);
    }
    if (topP != null) {
      b.topP(topP);
    }
    if (topK != null) {
      b.topK(topK);
    }
    if (seed != null) {
      b.seed(seed);
    }
    if (earlyStop != null) {
      b.earlyStop(earlyStop);
    }
    b.logitsEosInf(logitsEosInf).confidenceEosEotInf(confidenceEosEotInf);
    if (factor != null) {
      b.factor(factor);
    }
    if (algTemp != null) {
      b.algTemp(algTemp);
    }
    if (eps != null) {
      b.eps(eps);
    }
    return b.build().validated();
  }

  /** Sets the given flags on a request; the controller fills in the rest. */
  public void applyTo(GenerateRequest.Builder r) {
    if (earlyStop != null) {
      r.setEarlyStop(earlyStop);
    }
    if (genLength != null) {
      r.setGenLength(genLength);
    }
    if (steps != null) {
      r.setSteps(steps);
    }
    if (blockLength != null) {
      r.setBlockLength(blockLength);
    }
    CachePolicy.Builder c = CachePolicy.newBuilder();
    if (cache != null) {
      c.setMethod(cache);
    }
    if (budget != null) {
      c.setBudget(budget);
    }
    if (refresh != null) {
      c.setRefresh(refresh);
    }
    if (gamma != null) {
      c.setGamma(gamma);
    }
    if (window != null) {
      c.setWindow(window);
    }
    r.setCache(c);
    SamplerOptions.Builder s = SamplerOptions.newBuilder();
    if (temperature != null) {
      s.setTemperature(temperature);
    }
    if (remasking != null) {
      s.setRemasking(remasking);
    }
    if (threshold != null) {
      s.setThreshold(threshold);
    }
    if (cfg != null) {
      s.setCfgScale(cfg);
    }
    if (topP != null) {
      s.setTopP(topP);
    }
    if (topK != null) {
      s.setTopK(topK);
    }
    if (seed != null) {
      s.setSeed(seed);
    }
    if (factor != null) {
      s.setFactor(factor);
    }
    if (algTemp != null) {
      s.setAlgTemp(algTemp);
    }
    if (eps != null) {
      s.setEps(eps);
    }
    s.setLogitsEosInf(logitsEosInf).setConfidenceEosEotInf(confidenceEosEotInf);
    r.setSampler(s);
  }

  /** The cache modes and the registry's eviction methods, for the help text. */
  static final class CacheNames implements Iterable<String> {
    @Override
    public Iterator<String> iterator() {
      List<String> names = new ArrayList<>(List.of("none", "prefix", "dual"));
      names.addAll(EvictionMethods.names());
      return names.iterator();
    }
  }
}
