package io.maskkv.controller.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * The controller's Prometheus metrics ({@code maskkv_*}, served at {@code /metrics}): sessions active and queued,
 * admissions and rejections by reason, steps and tokens, time to first token and per-step latency histograms,
 * prefill time, KV bytes held against what the full cache would hold per method, and each worker's health and KV.
 */
@Singleton
public class ServingMetrics {
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Set<String> workers = ConcurrentHashMap.newKeySet();
  private final Counter steps;
  private final Counter tokens;
  private final Timer stepTime;
  private final Timer firstToken;
  private final Timer prefill;

  public ServingMetrics() {
    steps = Counter.builder("maskkv_steps").description("denoising steps run").register(registry);
    tokens = Counter.builder("maskkv_tokens").description("response tokens committed").register(registry);
    stepTime = Timer.builder("maskkv_step_seconds").description("latency of one denoising step, as the controller "
        + "saw it").publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
        .maximumExpectedValue(Duration.ofSeconds(30)).register(registry);
    firstToken = Timer.builder("maskkv_ttft_seconds").description("arrival to the first committed token")
        .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
        .maximumExpectedValue(Duration.ofSeconds(60)).register(registry);
    prefill = Timer.builder("maskkv_prefill_seconds").description("the first step of a session (prefill)")
        .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
        .maximumExpectedValue(Duration.ofSeconds(120)).register(registry);
  }

  /** Gauges read at scrape time: sessions active and queued. */
  public void sessions(Supplier<Number> active, Supplier<Number> queued) {
    Gauge.builder("maskkv_sessions_active", active).description("sessions running now").register(registry);
    Gauge.builder("maskkv_sessions_queued", queued).description("sessions waiting for KV room").register(registry);
  }

  public void admitted() {
    // the same tag keys as the rejections: Prometheus needs one label set per series name
    Counter.builder("maskkv_admissions").tag("result", "admitted").tag("reason", "ok").register(registry).increment();
  }

  /** A session refused or failed before it ran, by its status (RESOURCE_EXHAUSTED, UNAVAILABLE, ...). */
  public void rejected(String reason) {
    Counter.builder("maskkv_admissions").tag("result", "rejected").tag("reason", reason).register(registry)
        .increment();
  }

  public void step(long nanos, int committed) {
    steps.increment();
    tokens.increment(committed);
    stepTime.record(Duration.ofNanos(nanos));
  }

  public void firstToken(long nanos) {
    firstToken.record(Duration.ofNanos(nanos));
  }

  /** A finished session: its prefill time and the KV it held against the full cache, by cache method. */
  public void finished(String method, double prefillMs, long kvKept, long kvFull) {
    prefill.record(Duration.ofNanos((long) (prefillMs * 1e6)));
    DistributionSummary.builder("maskkv_kv_bytes_kept").baseUnit("bytes").tag("method", method)
        .description("prompt KV bytes a session held at its end").register(registry).record(kvKept);
    DistributionSummary.builder("maskkv_kv_bytes_full").baseUnit("bytes").tag("method", method)
        .description("what the full prompt cache would have held").register(registry).record(kvFull);
    if (kvFull > 0) {
      DistributionSummary.builder("maskkv_eviction_ratio").tag("method", method)
          .description("fraction of the prompt KV evicted").register(registry).record(1.0 - (double) kvKept / kvFull);
    }
  }

  /** Per-worker gauges, registered once per worker id and read from {@code source} at scrape time. */
  public <T> void worker(String id, T source, ToDoubleFunction<T> healthy, ToDoubleFunction<T> free,
      ToDoubleFunction<T> used, ToDoubleFunction<T> sessions) {
    if (workers.add(id)) {
      Gauge.builder("maskkv_worker_healthy", source, healthy).tag("worker", id).register(registry);
      Gauge.builder("maskkv_worker_free_kv_bytes", source, free).tag("worker", id).register(registry);
      Gauge.builder("maskkv_worker_used_kv_bytes", source, used).tag("worker", id).register(registry);
      Gauge.builder("maskkv_worker_sessions", source, sessions).tag("worker", id).register(registry);
    }
  }

  /** The Prometheus text exposition. */
  public String scrape() {
    return registry.scrape();
  }
}
