package io.maskkv.worker.grpc;

import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.util.MutableHandlerRegistry;
import io.maskkv.common.security.ClusterAccess;
import io.maskkv.proto.v1.WorkerServiceGrpc;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running worker: the {@link ShardWorker} service plus the standard gRPC health service (the overall status
 * and {@code maskkv.v1.WorkerService} are SERVING once the shard is loaded, NOT_SERVING while draining).
 */
public final class WorkerServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(WorkerServer.class);
  private final Server server;
  private final HealthStatusManager health;
  private final MutableHandlerRegistry services;
  private final ClusterAccess access;
  private volatile ShardWorker worker;

  private WorkerServer(Server server, HealthStatusManager health, MutableHandlerRegistry services,
      ClusterAccess access) {
    this.server = server;
    this.health = health;
    this.services = services;
    this.access = access;
  }

  /** Serves on host:port over TCP (port 0 = any free port), open to anyone who reaches it (tests, loopback). */
  public static WorkerServer start(ShardWorker worker, String host, int port) {
    return start(worker, host, port, ClusterAccess.OPEN);
  }

  /** Serves on host:port over TCP, only to callers holding the cluster credential (when {@code access} has one). */
  public static WorkerServer start(ShardWorker worker, String host, int port, ClusterAccess access) {
    return bind(host, port, access).serve(worker);
  }

  /**
   * Listens on host:port before the shard is loaded: health answers NOT_SERVING (a readiness probe waits, rather
   * than failing to connect) until {@link #serve} adds the worker service.
   */
  public static WorkerServer bind(String host, int port, ClusterAccess access) {
    NettyServerBuilder b = NettyServerBuilder.forAddress(new InetSocketAddress(host, port),
            access.serverCredentials())
        .maxInboundMessageSize(256 << 20) // hidden rows of long prompts: rows x d x 4 bytes
        .permitKeepAliveTime(5, TimeUnit.SECONDS).permitKeepAliveWithoutCalls(true);
    WorkerServer s = bind(b, access);
    if (!access.secured()) {
      LOG.warn("NO CLUSTER CREDENTIAL: anyone who reaches {}:{} can open sessions on this worker and read the model; "
          + "set MASKKV_CLUSTER_SECRET (the same on the controller) outside a laptop or a test", host, s.port());
    } else if (access.tls().isEmpty()) {
      LOG.info("the cluster secret authenticates callers; TLS is off (set --tls-cert/--tls-key to encrypt)");
    }
    return s;
  }

  /** Serves over any transport (the controller's embedded mode passes an in-process builder). */
  public static WorkerServer start(ShardWorker worker, ServerBuilder<?> builder) {
    return bind(builder, ClusterAccess.OPEN).serve(worker);
  }

  private static WorkerServer bind(ServerBuilder<?> builder, ClusterAccess access) {
    HealthStatusManager health = new HealthStatusManager();
    MutableHandlerRegistry services = new MutableHandlerRegistry();
    // health stays open to probes; the worker service (added once loaded) needs the cluster credential
    Server s = builder.addService(health.getHealthService()).fallbackHandlerRegistry(services).build();
    try {
      s.start();
    } catch (IOException e) {
      throw new UncheckedIOException("worker: cannot listen: " + e.getMessage(), e);
    }
    health.setStatus("", ServingStatus.NOT_SERVING);
    health.setStatus(WorkerServiceGrpc.SERVICE_NAME, ServingStatus.NOT_SERVING);
    return new WorkerServer(s, health, services, access);
  }

  /** Adds the loaded shard's service (behind the cluster credential, parsing leniently); health turns SERVING. */
  public WorkerServer serve(ShardWorker w) {
    if (worker != null) {
      throw new IllegalStateException("this server already serves worker " + worker.id());
    }
    services.addService(access.guard(w.bindService()));
    worker = w;
    health.setStatus("", ServingStatus.SERVING);
    health.setStatus(WorkerServiceGrpc.SERVICE_NAME, ServingStatus.SERVING);
    return this;
  }

  /** The TCP port (-1 for in-process). */
  public int port() {
    return server.getPort();
  }

  public ShardWorker worker() {
    return worker;
  }

  /**
   * Stops taking sessions (health NOT_SERVING), lets running ones finish for up to {@code drain}, then frees
   * whatever is left and stops.
   */
  public void shutdown(Duration drain) {
    ShardWorker worker = this.worker;
    health.setStatus("", ServingStatus.NOT_SERVING);
    if (worker == null) { // stopped while loading
      server.shutdownNow();
      awaitTermination();
      return;
    }
    worker.drain();
    health.setStatus(WorkerServiceGrpc.SERVICE_NAME, ServingStatus.NOT_SERVING);
    long deadline = System.nanoTime() + drain.toNanos();
    while (worker.ledger().sessions() > 0 && System.nanoTime() < deadline) {
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    if (worker.ledger().sessions() > 0) {
      LOG.warn("worker {}: {} sessions still open after the drain; ending them", worker.id(),
          worker.ledger().sessions());
    }
    worker.closeAll();
    server.shutdown();
    awaitTermination();
    worker.stop();
  }

  /** Drops every connection at once, like a crashed process (tests); sessions are freed as their streams die. */
  public void kill() {
    server.shutdownNow();
    awaitTermination();
    ShardWorker worker = this.worker;
    if (worker != null) {
      worker.closeAll();
      worker.stop();
    }
  }

  private void awaitTermination() {
    try {
      if (!server.awaitTermination(5, TimeUnit.SECONDS)) {
        server.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      server.shutdownNow();
    }
  }

  public void awaitTerminationForever() throws InterruptedException {
    server.awaitTermination();
  }

  @Override
  public void close() {
    shutdown(Duration.ZERO);
  }
}
