package io.maskkv.controller;

import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.protobuf.services.HealthStatusManager;
import io.maskkv.proto.v1.GenerationServiceGrpc;
import io.micronaut.context.annotation.Context;
import io.micronaut.core.annotation.Nullable;
import jakarta.annotation.PreDestroy;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The controller's gRPC health (what the Kubernetes readiness probe and the Docker HEALTHCHECK read): SERVING only
 * while at least one complete worker group serves a model and the controller is not draining, re-checked every
 * {@value #PERIOD_MS} ms, so a cluster that lost its last group stops being routed to.
 */
@Context
public class HealthReporter implements AutoCloseable {
  static final long PERIOD_MS = 250;
  private static final Logger LOG = LoggerFactory.getLogger(HealthReporter.class);
  private final HealthStatusManager health;
  private final WorkerRegistry registry;
  private final Admission admission;
  private final SessionManager sessions;
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "maskkv-health");
    t.setDaemon(true);
    return t;
  });
  private volatile Boolean last;

  public HealthReporter(@Nullable HealthStatusManager health, WorkerRegistry registry, Admission admission,
      SessionManager sessions) {
    this.health = health;
    this.registry = registry;
    this.admission = admission;
    this.sessions = sessions;
    update();
    timer.scheduleWithFixedDelay(this::update, PERIOD_MS, PERIOD_MS, TimeUnit.MILLISECONDS);
  }

  /** Whether some model has a complete group of healthy workers now. */
  boolean servable() {
    for (String model : registry.knownModels()) {
      var healthy = registry.healthy(model);
      if (!healthy.isEmpty() && !admission.groups(model, healthy.get(0).info().getLayers()).isEmpty()) {
        return true;
      }
    }
    return false;
  }

  void update() {
    try {
      boolean serving = !sessions.draining() && servable();
      if (health != null && !Boolean.valueOf(serving).equals(last)) {
        ServingStatus s = serving ? ServingStatus.SERVING : ServingStatus.NOT_SERVING;
        health.setStatus("", s);
        health.setStatus(GenerationServiceGrpc.SERVICE_NAME, s);
        if (last != null || !serving) {
          LOG.info("health: {}{}", s, serving ? "" : sessions.draining() ? " (draining)"
              : " (no complete worker group serves a model)");
        }
      }
      last = serving;
    } catch (RuntimeException e) {
      LOG.warn("health check failed: {}", e.toString());
    }
  }

  @PreDestroy
  @Override
  public void close() {
    timer.shutdownNow();
  }
}
