package io.maskkv.worker.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.maskkv.worker.grpc.KvLedger;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * A worker's Prometheus series at {@code /prometheus} (and {@code /metrics}) on its own port: the worker is not a
 * Micronaut application, so the JDK's HTTP server serves a Micrometer registry. The ledger is the truth about the
 * KV a worker holds, so its gauges are read from it at each scrape.
 */
public final class WorkerMetrics implements AutoCloseable {
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final HttpServer server;

  private WorkerMetrics(KvLedger ledger, HttpServer server) {
    this.server = server;
    Gauge.builder("maskkv_worker_kv_used_bytes", ledger, KvLedger::used).baseUnit("bytes")
        .description("KV bytes the worker's sessions hold or have reserved").register(registry);
    Gauge.builder("maskkv_worker_kv_free_bytes", ledger, KvLedger::free).baseUnit("bytes")
        .description("KV bytes still free for new sessions").register(registry);
    Gauge.builder("maskkv_worker_kv_capacity_bytes", ledger, KvLedger::capacity).baseUnit("bytes")
        .description("the worker's KV capacity (--kv-bytes)").register(registry);
    Gauge.builder("maskkv_worker_sessions", ledger, KvLedger::sessions)
        .description("sessions with KV on this worker").register(registry);
    server.createContext("/prometheus", this::scrape);
    server.createContext("/metrics", this::scrape);
    server.start();
  }

  /**
   * Serves a worker's series on host:port (0 = an ephemeral port): its KV ledger, and how its Hop streams batch
   * (messages in, the session steps they carried, and replies out: one per iteration that finished steps).
   */
  public static WorkerMetrics start(io.maskkv.worker.grpc.ShardWorker worker, String host, int port) {
    WorkerMetrics m = start(worker.ledger(), host, port);
    io.micrometer.core.instrument.FunctionCounter.builder("maskkv_worker_hop_messages", worker,
        w -> w.hopCounts().messages()).description("Hop messages received (one per hop of a batch)")
        .register(m.registry);
    io.micrometer.core.instrument.FunctionCounter.builder("maskkv_worker_hop_steps", worker,
        w -> w.hopCounts().members()).description("session steps those messages carried").register(m.registry);
    io.micrometer.core.instrument.FunctionCounter.builder("maskkv_worker_hop_replies", worker,
        w -> w.hopCounts().replies()).description("Hop replies sent, one per iteration that finished steps")
        .register(m.registry);
    return m;
  }

  /** Serves the worker's series on host:port (0 = an ephemeral port). */
  public static WorkerMetrics start(KvLedger ledger, String host, int port) {
    try {
      return new WorkerMetrics(ledger, HttpServer.create(new InetSocketAddress(host, port), 0));
    } catch (IOException e) {
      throw new UncheckedIOException("metrics port " + host + ":" + port + ": " + e.getMessage(), e);
    }
  }

  public int port() {
    return server.getAddress().getPort();
  }

  private void scrape(HttpExchange x) throws IOException {
    byte[] body = registry.scrape().getBytes(StandardCharsets.UTF_8);
    x.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
    x.sendResponseHeaders(200, body.length);
    try (OutputStream out = x.getResponseBody()) {
      out.write(body);
    }
  }

  @Override
  public void close() {
    server.stop(0);
    registry.close();
  }
}
