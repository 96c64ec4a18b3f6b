package io.maskkv.controller.metrics;

import io.grpc.Status;
import io.maskkv.controller.SessionManager;
import io.maskkv.controller.WorkerNode;
import io.maskkv.controller.WorkerRegistry;
import io.maskkv.proto.v1.GenerateEvent;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.Locale;

/**
 * The controller's Prometheus series (names prefixed {@code maskkv_}), fed from the one stream of events every
 * session produces, whichever door (gRPC or HTTP) it came through: {@link #session} gives each call a recorder.
 */
@Singleton
public class ServingMetrics {
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Counter steps;
  private final Counter tokens;
  private final Timer stepLatency;
  private final Timer ttft;
  private final Timer prefill;
  private final DistributionSummary kvKept;
  private final DistributionSummary kvFull;

  private final WorkerRegistry workers;
  private final java.util.Set<String> seenWorkers = java.util.concurrent.ConcurrentHashMap.newKeySet();

  public ServingMetrics(SessionManager sessions, WorkerRegistry workers) {
    this.workers = workers;
    Gauge.builder("maskkv_sessions_active", sessions, SessionManager::active)
        .description("sessions running or waiting for admission").register(registry);
    steps = Counter.builder("maskkv_steps").description("denoising steps run").register(registry);
    tokens = Counter.builder("maskkv_tokens").description("response tokens committed").register(registry);
    stepLatency = Timer.builder("maskkv_step_latency").description("one denoising step at the controller")
        .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
        .maximumExpectedValue(Duration.ofSeconds(10)).register(registry);
    ttft = Timer.builder("maskkv_ttft").description("arrival to the first committed step (queue + prefill)")
        .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
        .maximumExpectedValue(Duration.ofSeconds(60)).register(registry);
    prefill = Timer.builder("maskkv_prefill").description("the first step: prefill and eviction")
        .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
        .maximumExpectedValue(Duration.ofSeconds(60)).register(registry);
    kvKept = DistributionSummary.builder("maskkv_kv_kept_bytes").baseUnit("bytes")
        .description("KV bytes a session held at its end").register(registry);
    kvFull = DistributionSummary.builder("maskkv_kv_full_bytes").baseUnit("bytes")
        .description("KV bytes the full prompt cache would have held").register(registry);
  }

  /** A recorder for one Generate call through {@code door} (grpc or http). */
  public SessionMetrics session(String door) {
    Counter.builder("maskkv_sessions_started").tag("door", door).register(registry).increment();
    return new SessionMetrics(this);
  }

  void event(GenerateEvent e, long arrived, String method) {
    switch (e.getEventCase()) {
      case STARTED -> Counter.builder("maskkv_admissions").description("sessions admitted").register(registry)
          .increment();
      case STEP -> {
        steps.increment();
        tokens.increment(e.getStep().getCommittedCount());
        stepLatency.record(Duration.ofNanos((long) (e.getStep().getStepMs() * 1e6)));
        if (e.getStep().getStep() == 0) {
          ttft.record(Duration.ofNanos(System.nanoTime() - arrived));
        }
      }
      case SUMMARY -> {
        prefill.record(Duration.ofNanos((long) (e.getSummary().getPrefillMs() * 1e6)));
        kvKept.record(e.getSummary().getKvBytesKept());
        kvFull.record(e.getSummary().getKvBytesPromptFull());
        long full = e.getSummary().getKvBytesPromptFull();
        if (full > 0) {
          // what each method holds against the full cache: 1 - kept/full, per method
          DistributionSummary.builder("maskkv_eviction_ratio").tag("method", method)
              .description("share of the full prompt KV a session evicted, by cache method").register(registry)
              .record(Math.max(0, 1.0 - (double) e.getSummary().getKvBytesKept() / full));
          DistributionSummary.builder("maskkv_method_kv_kept_bytes").baseUnit("bytes").tag("method", method)
              .description("KV bytes a session held at its end, by cache method").register(registry)
              .record(e.getSummary().getKvBytesKept());
        }
      }
      default -> { }
    }
  }

  /** Every end, by status: OK, and the rejections and failures by reason (RESOURCE_EXHAUSTED = no KV room, ...). */
  void end(Status s) {
    Counter.builder("maskkv_sessions_ended").tag("status", s.getCode().name().toLowerCase(Locale.ROOT))
        .register(registry).increment();
  }

  /** The text exposition format. */
  public String scrape() {
    for (WorkerNode w : workers.all()) {
      if (seenWorkers.add(w.id())) {
        // read at scrape time from the registry's view: health and what the worker last reported
        Gauge.builder("maskkv_worker_healthy", workers, r -> r.get(w.id()) != null && r.get(w.id()).healthy() ? 1 : 0)
            .tag("worker", w.id()).description("1 while the worker is in routing").register(registry);
        Gauge.builder("maskkv_worker_free_kv_bytes", workers, r -> {
          WorkerNode n = r.get(w.id());
          return n == null || n.info() == null ? 0 : n.info().getFreeBytes();
        }).tag("worker", w.id()).description("free KV the worker last reported").register(registry);
      }
    }
    return registry.scrape();
  }
}
