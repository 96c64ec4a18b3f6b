package io.maskkv.controller;

import io.micronaut.context.ApplicationContext;
import io.micronaut.grpc.server.GrpcEmbeddedServer;
import io.micronaut.http.server.netty.NettyEmbeddedServer;
import java.util.Map;
import java.util.Optional;

/**
 * Starts and stops a controller: a Micronaut context with its gRPC server, and its HTTP server (the OpenAI API
 * and the playground) when {@code maskkv.http-port} is set (0 = an ephemeral port). Used by {@code ./maskkv serve}, the
 * tests and the benchmarks; {@link #main} is the container entry point (configuration from application.yml and
 * the environment only).
 */
public final class ControllerServer implements AutoCloseable {
  private final ApplicationContext context;
  private final GrpcEmbeddedServer server;
  private final NettyEmbeddedServer http;

  private ControllerServer(ApplicationContext context, GrpcEmbeddedServer server, NettyEmbeddedServer http) {
    this.context = context;
    this.server = server;
    this.http = http;
  }

  /** Starts with these properties over application.yml and the environment (e.g. grpc.server.port: 0). */
  public static ControllerServer start(Map<String, Object> properties) {
    ApplicationContext ctx;
    try {
      ctx = ApplicationContext.builder().properties(properties).deduceCloudEnvironment(false).banner(false).start();
    } catch (RuntimeException e) {
      throw configurationError(e);
    }
    try {
      GrpcEmbeddedServer server = ctx.getBean(GrpcEmbeddedServer.class);
      server.start();
      // off unless asked for: tests and benchmarks start many controllers, which must not all want port 8080
      NettyEmbeddedServer http = null;
      if (ctx.getProperty("maskkv.http-port", Integer.class).isPresent()) {
        http = ctx.getBean(NettyEmbeddedServer.class);
        http.start();
      }
      ctx.getBean(HealthReporter.class).update(); // the embedded worker has joined by now
      return new ControllerServer(ctx, server, http);
    } catch (RuntimeException e) {
      ctx.close();
      throw configurationError(e);
    }
  }

  /**
   * Our configuration checks throw IllegalArgumentException (or UncheckedIOException for an unreadable file) from
   * bean constructors; Micronaut wraps it in a bean-path exception of dozens of lines. The operator needs our one
   * line (the command line prints it and exits 2), so it is lifted out; anything else is passed on as it came.
   */
  static RuntimeException configurationError(RuntimeException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof IllegalArgumentException || t instanceof java.io.UncheckedIOException) {
        return new IllegalArgumentException(t.getMessage(), e);
      }
    }
    return e;
  }

  public int port() {
    return server.getPort();
  }

  /** The HTTP port, when the HTTP server runs. */
  public Optional<Integer> httpPort() {
    return Optional.ofNullable(http).map(NettyEmbeddedServer::getPort);
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
      if (http != null) {
        http.stop(); // first, so that the drain below sees no new HTTP sessions
      }
      server.stop();
    } finally {
      context.close();
    }
  }

  public static void main(String[] args) throws InterruptedException {
    // the container serves HTTP on 8080 unless MASKKV_HTTP_PORT says otherwise
    ControllerServer s;
    try {
      s = start(System.getenv("MASKKV_HTTP_PORT") == null ? Map.of("maskkv.http-port", 8080) : Map.of());
    } catch (IllegalArgumentException e) {
      System.err.println("maskkv: error: " + e.getMessage());
      System.exit(2);
      return;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(s::close, "maskkv-shutdown"));
    System.err.println("maskkv controller listening on port " + s.port() + " (gRPC), "
        + s.httpPort().map(String::valueOf).orElse("-") + " (HTTP)");
    s.server.getServer().awaitTermination();
  }
}
