package io.maskkv.controller;

import io.micronaut.context.ApplicationContext;
import io.micronaut.grpc.server.GrpcEmbeddedServer;
import java.util.Map;

/**
 * Starts and stops a controller: a Micronaut context with its gRPC server. Used by {@code ./maskkv serve}, the
 * tests and the benchmarks; {@link #main} is the container entry point (configuration from application.yml and
 * the environment only).
 */
public final class ControllerServer implements AutoCloseable {
  private final ApplicationContext context;
  private final GrpcEmbeddedServer server;

  private ControllerServer(ApplicationContext context, GrpcEmbeddedServer server) {
    this.context = context;
    this.server = server;
  }

  /** Starts with these properties over application.yml and the environment (e.g. grpc.server.port: 0). */
  public static ControllerServer start(Map<String, Object> properties) {
    ApplicationContext ctx = ApplicationContext.builder().properties(properties).deduceCloudEnvironment(false)
        .banner(false).start();
    try {
      GrpcEmbeddedServer server = ctx.getBean(GrpcEmbeddedServer.class);
      server.start();
      ctx.getBean(HealthReporter.class).update(); // the embedded worker has joined by now
      return new ControllerServer(ctx, server);
    } catch (RuntimeException e) {
      ctx.close();
      throw e;
    }
  }

  public int port() {
    return server.getPort();
  }

  public ApplicationContext context() {
    return context;
  }

  public <T> T bean(Class<T> type) {
    return context.getBean(type);
  }

  /** Drains running sessions (maskkv.drain-timeout), stops the server and the context. */
  @Override
  public void close() {
    try {
      server.stop();
    } finally {
      context.close();
    }
  }

  public static void main(String[] args) throws InterruptedException {
    ControllerServer s = start(Map.of());
    Runtime.getRuntime().addShutdownHook(new Thread(s::close, "maskkv-shutdown"));
    System.err.println("maskkv controller listening on port " + s.port());
    s.server.getServer().awaitTermination();
  }
}
