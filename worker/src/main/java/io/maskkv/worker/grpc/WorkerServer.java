package io.maskkv.worker.grpc;

import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
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
  private final ShardWorker worker;
  private final HealthStatusManager health;

  private WorkerServer(Server server, ShardWorker worker, HealthStatusManager health) {
    this.server = server;
    this.worker = worker;
    this.health = health;
  }

  /** Serves on host:port over TCP (port 0 = any free port). */
  public static WorkerServer start(ShardWorker worker, String host, int port) {
    NettyServerBuilder b = NettyServerBuilder.forAddress(new InetSocketAddress(host, port))
        .maxInboundMessageSize(256 << 20) // hidden rows of long prompts: rows x d x 4 bytes
        .permitKeepAliveTime(5, TimeUnit.SECONDS).permitKeepAliveWithoutCalls(true);
    return start(worker, b);
  }

  /** Serves over any transport (the controller's embedded mode passes an in-process builder). */
  public static WorkerServer start(ShardWorker worker, ServerBuilder<?> builder) {
    HealthStatusManager health = new HealthStatusManager();
    Server s = builder.addService(worker).addService(health.getHealthService()).build();
    try {
      s.start();
    } catch (IOException e) {
      throw new UncheckedIOException("worker: cannot listen: " + e.getMessage(), e);
    }
    health.setStatus("", ServingStatus.SERVING);
    health.setStatus(WorkerServiceGrpc.SERVICE_NAME, ServingStatus.SERVING);
    return new WorkerServer(s, worker, health);
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
    worker.drain();
    health.setStatus("", ServingStatus.NOT_SERVING);
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
    worker.closeAll();
    worker.stop();
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
