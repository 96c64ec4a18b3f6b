package io.maskkv.controller.metrics;

import io.grpc.Status;
import io.maskkv.controller.SessionManager;
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

  public ServingMetrics(SessionManager sessions) {
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

  void event(GenerateEvent e, long arrived) {
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
    return registry.scrape();
  }
}
