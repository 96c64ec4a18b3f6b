package io.maskkv.worker.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.maskkv.worker.grpc.KvLedger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/** A scrape of the worker's metrics port reads the KV ledger as it is at that moment. */
class WorkerMetricsTest {
  private static double value(String scrape, String series) {
    return scrape.lines().filter(l -> l.startsWith(series + " ")).mapToDouble(l -> Double.parseDouble(l
        .substring(series.length() + 1).trim())).findFirst().orElseThrow(() -> new AssertionError(series
            + " missing from\n" + scrape));
  }

  @Test
  void theScrapeFollowsTheKvASessionReservesAndFrees() throws Exception {
    KvLedger ledger = new KvLedger(1_000_000);
    HttpClient http = HttpClient.newHttpClient();
    try (WorkerMetrics m = WorkerMetrics.start(ledger, "127.0.0.1", 0)) {
      URI uri = URI.create("http://127.0.0.1:" + m.port() + "/prometheus");
      String idle = http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString()).body();
      assertEquals(0, value(idle, "maskkv_worker_kv_used_bytes"));
      assertEquals(1_000_000, value(idle, "maskkv_worker_kv_free_bytes"));
      assertEquals(1_000_000, value(idle, "maskkv_worker_kv_capacity_bytes"));

      assertTrue(ledger.reserve("s1", 250_000)); // what a session's Open does, then its prefill reports the bytes
      ledger.held("s1", 40_000);
      String busy = http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString()).body();
      assertEquals(1, value(busy, "maskkv_worker_sessions"));
      assertTrue(value(busy, "maskkv_worker_kv_used_bytes") > 0);
      assertTrue(value(busy, "maskkv_worker_kv_free_bytes") < 1_000_000);

      ledger.release("s1");
      String after = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + m.port() + "/metrics"))
          .build(), HttpResponse.BodyHandlers.ofString()).body();
      assertEquals(0, value(after, "maskkv_worker_sessions"));
      assertEquals(0, value(after, "maskkv_worker_kv_used_bytes"));
    }
  }
}
