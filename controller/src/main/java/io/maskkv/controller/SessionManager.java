package io.maskkv.controller;

import io.grpc.Context;
import io.grpc.Status;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.stub.ServerCallStreamObserver;
import io.maskkv.common.security.ApiTokens;
import io.maskkv.proto.v1.GenerateEvent;
import io.maskkv.proto.v1.GenerateRequest;
import io.maskkv.proto.v1.GenerationServiceGrpc;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.runtime.event.annotation.EventListener;
import io.micronaut.runtime.server.event.ServerShutdownEvent;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs sessions, one thread each, up to {@code maskkv.max-sessions}; drains them on shutdown: new sessions are
 * refused (UNAVAILABLE, health NOT_SERVING), running ones may finish for {@code maskkv.drain-timeout}, then the
 * rest are ended and their KV freed.
 */
@Singleton
public class SessionManager implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SessionManager.class);
  private final ControllerConfig config;
  private final RequestResolver resolver;
  private final Admission admission;
  private final HealthStatusManager health;
  private final ThreadPoolExecutor pool;
  private final Set<GenerationSession> active = ConcurrentHashMap.newKeySet();
  /** Sessions running or queued per API caller (only with maskkv.max-sessions-per-token). */
  private final Map<String, AtomicInteger> perCaller = new ConcurrentHashMap<>();
  private final Map<GenerationSession, String> callers = new ConcurrentHashMap<>();
  private volatile boolean draining;

  public SessionManager(ControllerConfig config, RequestResolver resolver, Admission admission,
      @Nullable HealthStatusManager health) {
    this.config = config;
    this.resolver = resolver;
    this.admission = admission;
    this.health = health;
    AtomicInteger n = new AtomicInteger();
    // a thread per session: up to max-sessions admitted, up to queue-size more waiting in admission's queue
    this.pool = new ThreadPoolExecutor(0, Math.max(1, config.getMaxSessions() + config.getQueueSize()), 30,
        TimeUnit.SECONDS,
        new SynchronousQueue<>(), r -> {
          Thread t = new Thread(r, "maskkv-session-" + n.incrementAndGet());
          t.setDaemon(true);
          return t;
        });
  }

  ControllerConfig config() {
    return config;
  }

  RequestResolver resolver() {
    return resolver;
  }

  Admission admission() {
    return admission;
  }

  /** Starts a Generate call's session; the client's cancel ends it and frees its KV at once. */
  public void start(GenerateRequest request, ServerCallStreamObserver<GenerateEvent> out) {
    String id = UUID.randomUUID().toString().substring(0, 8);
    GenerationSession s = new GenerationSession(id, request, out, this, Context.current().getDeadline());
    out.setOnCancelHandler(() -> s.abort(Status.CANCELLED.withDescription("client cancelled session " + id)));
    if (draining) {
      out.onError(Status.UNAVAILABLE.withDescription("the controller is shutting down").asRuntimeException());
      return;
    }
    String caller = ApiTokens.CALLER.get();
    int perToken = config.getMaxSessionsPerToken();
    if (caller != null && perToken > 0) {
      int now = perCaller.computeIfAbsent(caller, k -> new AtomicInteger()).incrementAndGet();
      if (now > perToken) {
        perCaller.get(caller).decrementAndGet();
        out.onError(Status.RESOURCE_EXHAUSTED.withDescription("this API token runs " + perToken + " sessions "
            + "already (maskkv.max-sessions-per-token)").asRuntimeException());
        return;
      }
      callers.put(s, caller);
    }
    active.add(s);
    try {
      pool.execute(s);
    } catch (RejectedExecutionException e) {
      finished(s);
      out.onError(Status.RESOURCE_EXHAUSTED.withDescription("the controller runs " + config.getMaxSessions()
          + " sessions and " + config.getQueueSize() + " wait already (maskkv.max-sessions, maskkv.queue-size)")
          .asRuntimeException());
    }
  }

  void finished(GenerationSession s) {
    active.remove(s);
    String caller = callers.remove(s);
    if (caller != null) {
      perCaller.get(caller).decrementAndGet();
    }
  }

  public int active() {
    return active.size();
  }

  public boolean draining() {
    return draining;
  }

  /** Refuses new sessions, waits up to {@code timeout} for running ones, then ends the rest. */
  public void drain(Duration timeout) {
    draining = true;
    if (health != null) {
      health.setStatus("", ServingStatus.NOT_SERVING);
      health.setStatus(GenerationServiceGrpc.SERVICE_NAME, ServingStatus.NOT_SERVING);
    }
    long until = System.nanoTime() + timeout.toNanos();
    while (!active.isEmpty() && System.nanoTime() < until) {
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    if (!active.isEmpty()) {
      LOG.warn("{} sessions still running after the drain; ending them", active.size());
      for (GenerationSession s : active) {
        s.abort(Status.UNAVAILABLE.withDescription("the controller is shutting down"));
      }
      long grace = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (!active.isEmpty() && System.nanoTime() < grace) {
        try {
          Thread.sleep(10);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
    }
  }

  /** Micronaut's gRPC server publishes this before it stops taking calls. */
  @EventListener
  void onShutdown(ServerShutdownEvent event) {
    drain(config.getDrainTimeout());
  }

  @PreDestroy
  @Override
  public void close() {
    if (!draining || !active.isEmpty()) {
      drain(Duration.ZERO);
    }
    pool.shutdownNow();
  }
}
