package io.maskkv.worker.grpc;

import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.maskkv.common.security.ClusterAccess;
import io.maskkv.proto.v1.HeartbeatRequest;
import io.maskkv.proto.v1.HeartbeatResponse;
import io.maskkv.proto.v1.RegisterRequest;
import io.maskkv.proto.v1.RegisterResponse;
import io.maskkv.proto.v1.WorkerRegistryGrpc;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Joins a controller by itself ({@code ./maskkv worker --controller HOST:PORT}): registers, then sends
 * heartbeats with its free KV; registers again whenever the controller has forgotten it (restart) and keeps
 * retrying while the controller is away.
 */
public final class WorkerRegistrar implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(WorkerRegistrar.class);
  private final ShardWorker worker;
  private final String controller;
  private final ManagedChannel channel;
  private final WorkerRegistryGrpc.WorkerRegistryBlockingStub stub;
  private final ScheduledExecutorService timer;
  private volatile long intervalMs;
  private volatile boolean registered;

  public WorkerRegistrar(ShardWorker worker, String controller, Duration retry) {
    this(worker, controller, retry, ClusterAccess.OPEN);
  }

  /** Registers over a channel that carries the cluster credential (and TLS) of {@code access}. */
  public WorkerRegistrar(ShardWorker worker, String controller, Duration retry, ClusterAccess access) {
    if (worker.settings().address().isEmpty()) {
      throw new IllegalArgumentException("a self-registering worker needs an address the controller can reach");
    }
    this.worker = worker;
    this.controller = controller;
    this.channel = access.channel(controller).build();
    this.stub = WorkerRegistryGrpc.newBlockingStub(channel);
    this.intervalMs = retry.toMillis();
    this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "maskkv-registrar");
      t.setDaemon(true);
      return t;
    });
  }

  public WorkerRegistrar start() {
    timer.execute(this::tick);
    return this;
  }

  public boolean registered() {
    return registered;
  }

  private void tick() {
    try {
      if (!registered) {
        RegisterResponse r = stub.withDeadlineAfter(5, TimeUnit.SECONDS)
            .register(RegisterRequest.newBuilder().setInfo(worker.info()).build());
        registered = true;
        if (r.getHeartbeatIntervalMs() > 0) {
          intervalMs = r.getHeartbeatIntervalMs();
        }
        LOG.info("worker {}: registered with controller {}", worker.id(), controller);
      } else {
        HeartbeatResponse h = stub.withDeadlineAfter(5, TimeUnit.SECONDS).heartbeat(HeartbeatRequest.newBuilder()
            .setWorkerId(worker.id()).setFreeBytes(worker.ledger().free()).setSessions(worker.ledger().sessions())
            .setServing(worker.serving()).build());
        if (!h.getKnown()) {
          registered = false;
          LOG.info("worker {}: controller {} forgot this worker; registering again", worker.id(), controller);
          timer.execute(this::tick);
          return;
        }
      }
    } catch (StatusRuntimeException e) {
      registered = false;
      if (e.getStatus().getCode() == io.grpc.Status.Code.UNAUTHENTICATED
          || e.getStatus().getCode() == io.grpc.Status.Code.ALREADY_EXISTS) {
        LOG.error("worker {}: controller {} refused this worker: {}; retrying", worker.id(), controller,
            e.getStatus().getDescription());
      } else {
        LOG.warn("worker {}: controller {} unreachable ({}); retrying", worker.id(), controller, e.getStatus());
      }
    } catch (RuntimeException e) {
      LOG.error("worker {}: registration failed", worker.id(), e);
    }
    if (!timer.isShutdown()) {
      timer.schedule(this::tick, intervalMs, TimeUnit.MILLISECONDS);
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
    channel.shutdownNow();
  }
}
