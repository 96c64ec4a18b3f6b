package io.maskkv.controller;

import io.micronaut.context.ApplicationContext;
import io.micronaut.grpc.server.GrpcEmbeddedServer;
import io.micronaut.http.server.netty.NettyEmbeddedServer;
import io.micronaut.runtime.server.EmbeddedServer;
import java.util.Map;

/**
 * Starts and stops a controller: a Micronaut context with its gRPC server. Used by {@code ./maskkv serve}, the
 * tests and the benchmarks; {@link #main} is the container entry point (configuration from application.yml and
 * the environment only).
 */
public final class ControllerServer implements AutoCloseable {
  private final ApplicationContext context;
  private final GrpcEmbeddedServer server;
  private final EmbeddedServer http;

  private ControllerServer(ApplicationContext context, GrpcEmbeddedServer server, EmbeddedServer http) {
    this.context = context;
    this.server = server;
    this.http = http;
  }

  /** Starts with these properties over application.yml and the environment (e.g. grpc.server.port: 0). */
  public static ControllerServer start(Map<String, Object> properties) {
    ApplicationContext ctx = ApplicationContext.builder().properties(properties).deduceCloudEnvironment(false)
        .banner(false).start();
    try {
      GrpcEmbeddedServer server = ctx.getBean(GrpcEmbeddedServer.class);
      server.start();
      // the OpenAI-compatible HTTP API (maskkv.http.enabled, port micronaut.server.port)
      EmbeddedServer http = ctx.getProperty("maskkv.http.enabled", Boolean.class).orElse(true)
          ? ctx.getBean(NettyEmbeddedServer.class) : null;
      if (http != null) {
        http.start();
      }
      ctx.getBean(HealthReporter.class).update(); // the embedded worker has joined by now
      return new ControllerServer(ctx, server, http);
    } catch (RuntimeException e) {
      ctx.close();
      throw e;
    }
  }

  public int port() {
    return server.getPort();
  }

  /** The HTTP API's port; -1 when it is off. */
  public int httpPort() {
    return http == null ? -1 : http.getPort();
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
      if (http != null) {
        http.stop();
      }
    } finally {
      context.close();
    }
  }

  public static void main(String[] args) throws InterruptedException {
    ControllerServer s = start(Map.of());
    Runtime.getRuntime().addShutdownHook(new Thread(s::close, "maskkv-shutdown"));
    System.err.println("maskkv controller listening on port " + s.port() + " (gRPC), " + s.httpPort() + " (HTTP)");
    s.server.getServer().awaitTermination();
  }
}
