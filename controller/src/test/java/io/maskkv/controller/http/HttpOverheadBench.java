package io.maskkv.controller.http;

import io.maskkv.proto.v1.CachePolicy;
import io.maskkv.proto.v1.GenerateEvent;
import io.maskkv.proto.v1.GenerateRequest;
import io.maskkv.proto.v1.GenerationServiceGrpc;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * A bench, not a test (it asserts nothing about time): the client-observed time per denoising step of one
 * streamed request over gRPC and over HTTP (SSE with maskkv_events, so every step reaches the client), same
 * controller, same loopback worker, the bundled model. Run with -Dmaskkv.bench=true -Dtest=HttpOverheadBench.
 */
@EnabledIfSystemProperty(named = "maskkv.bench", matches = "true")
class HttpOverheadBench {
  private static final int GEN = 64;
  private static final int RUNS = 5;

  @Test
  void perStepTimeOverGrpcAndHttp() throws Exception {
    try (HttpCluster c = new HttpCluster()) {
      HttpClient http = HttpClient.newHttpClient();
      List<Double> grpc = new ArrayList<>();
      List<Double> sse = new ArrayList<>();
      for (int i = 0; i < RUNS + 1; i++) { // the first round warms up
        double g = grpc(c);
        double h = http(c, http);
        if (i > 0) {
          grpc.add(g);
          sse.add(h);
        }
      }
      Collections.sort(grpc);
      Collections.sort(sse);
      System.out.printf("client-observed ms/step, median of %d (gen %d, 64 steps, block 8, maskkv budget 64, 512-token"
          + " needle prompt): gRPC %.3f  HTTP/SSE %.3f  difference %+.3f%n  gRPC runs %s%n  HTTP runs %s%n", RUNS,
          GEN, grpc.get(RUNS / 2), sse.get(RUNS / 2), sse.get(RUNS / 2) - grpc.get(RUNS / 2), grpc, sse);
    }
  }

  private static double grpc(HttpCluster c) {
    GenerateRequest r = GenerateRequest.newBuilder().setPrompt(HttpCluster.needle()).setGenLength(GEN).setSteps(GEN)
        .setBlockLength(8).setEarlyStop(false).setCache(CachePolicy.newBuilder().setMethod("maskkv").setBudget(64))
        .build();
    Iterator<GenerateEvent> it = GenerationServiceGrpc.newBlockingStub(c.channel).withDeadlineAfter(120,
        TimeUnit.SECONDS).generate(r);
    long first = 0;
    long last = 0;
    int steps = 0;
    while (it.hasNext()) {
      if (it.next().hasStep()) {
        last = System.nanoTime();
        first = steps++ == 0 ? last : first;
      }
    }
    return (last - first) / 1e6 / (steps - 1);
  }

  private static double http(HttpCluster c, HttpClient http) throws Exception {
    String body = ChunkFormat.JSON.writeValueAsString(Map.of("prompt", HttpCluster.needle(), "max_tokens", GEN,
        "steps", GEN, "block_length", 8, "early_stop", false, "cache_method", "maskkv", "budget", 64, "stream", true,
        "maskkv_events", true));
    HttpResponse<java.io.InputStream> r = http.send(HttpRequest.newBuilder(URI.create(c.base() + "/v1/completions"))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofInputStream());
    long first = 0;
    long last = 0;
    int steps = 0;
    try (BufferedReader lines = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
      for (String l = lines.readLine(); l != null; l = lines.readLine()) {
        if (l.startsWith("data:") && l.contains("\"step\":{")) {
          last = System.nanoTime();
          first = steps++ == 0 ? last : first;
        }
      }
    }
    return (last - first) / 1e6 / (steps - 1);
  }
}
