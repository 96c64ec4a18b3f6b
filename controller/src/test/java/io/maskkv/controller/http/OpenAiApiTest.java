package io.maskkv.controller.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.errors.NotFoundException;
import com.openai.models.ChatModel;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.completions.Completion;
import com.openai.models.completions.CompletionCreateParams;
import com.openai.models.models.Model;
import io.maskkv.proto.v1.CachePolicy;
import io.maskkv.proto.v1.GenerateEvent;
import io.maskkv.proto.v1.GenerateRequest;
import io.maskkv.proto.v1.GenerationServiceGrpc;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The OpenAI-compatible API on a real controller and worker serving the bundled model, driven by the official
 * OpenAI Java SDK (a client this project did not write) and, where the wire format itself is the point, by the
 * JDK's HTTP client.
 */
class OpenAiApiTest {
  private static final String MODEL = "maskkv-tiny";
  private static HttpCluster cluster;
  private static OpenAIClient openai;
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @BeforeAll
  static void start() {
    cluster = new HttpCluster();
    // no retries: a 4xx/5xx must reach the test as it came
    openai = OpenAIOkHttpClient.builder().baseUrl(cluster.base() + "/v1").apiKey("unused").maxRetries(0).build();
  }

  @AfterAll
  static void stop() {
    if (openai != null) {
      openai.close();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  /** The README's needle request as extra body fields: 2 answer slots in one block, MaskKV keeping 8 per head. */
  private static CompletionCreateParams needleCompletion() {
    return CompletionCreateParams.builder().model(MODEL).prompt(HttpCluster.needle()).maxTokens(2).temperature(0)
        .putAdditionalBodyProperty("block_length", JsonValue.from(2))
        .putAdditionalBodyProperty("cache_method", JsonValue.from("maskkv"))
        .putAdditionalBodyProperty("budget", JsonValue.from(8)).build();
  }

  private static ChatCompletionCreateParams chat(String text) {
    return ChatCompletionCreateParams.builder().model(ChatModel.of(MODEL)).addUserMessage(text)
        .maxCompletionTokens(8).temperature(0).seed(7)
        .putAdditionalBodyProperty("block_length", JsonValue.from(4))
        .putAdditionalBodyProperty("budget", JsonValue.from(8)).build();
  }

  @Test
  void theSdkListsTheBundledModel() {
    List<Model> models = openai.models().list().data();
    assertEquals(1, models.size());
    assertEquals(MODEL, models.get(0).id());
  }

  @Test
  void aCompletionAnswersTheNeedleWithUsageAndFinishReason() {
    Completion c = openai.completions().create(needleCompletion());
    assertEquals(HttpCluster.PASSKEY, c.choices().get(0).text().trim());
    assertEquals(MODEL, c.model());
    assertEquals(512, c.usage().orElseThrow().promptTokens(), "the needle prompt is 512 words");
    assertTrue(c.usage().orElseThrow().completionTokens() >= 1);
    assertEquals(c.usage().get().promptTokens() + c.usage().get().completionTokens(), c.usage().get().totalTokens());
    assertEquals("stop", c.choices().get(0).finishReason().asString());
  }

  @Test
  void aStreamedCompletionAddsUpToTheWholeOne() {
    String whole = openai.completions().create(needleCompletion()).choices().get(0).text();
    StringBuilder streamed = new StringBuilder();
    List<String> finishes = new ArrayList<>();
    try (StreamResponse<Completion> s = openai.completions().createStreaming(needleCompletion())) {
      s.stream().forEach(chunk -> chunk.choices().forEach(ch -> {
        streamed.append(ch.text());
        ch._finishReason().asKnown().ifPresent(f -> finishes.add(f.asString()));
      }));
    }
    assertEquals(whole, streamed.toString());
    assertEquals(List.of("stop"), finishes, "one last chunk carries the finish reason");
  }

  @Test
  void aStreamedChatCompletionAddsUpToTheWholeOne() {
    ChatCompletion whole = openai.chat().completions().create(chat("what is the passkey ?"));
    String text = whole.choices().get(0).message().content().orElseThrow();
    assertEquals("chat.completion", whole._object_().asString().orElseThrow());
    StringBuilder streamed = new StringBuilder();
    List<String> roles = new ArrayList<>();
    List<String> finishes = new ArrayList<>();
    try (StreamResponse<ChatCompletionChunk> s = openai.chat().completions().createStreaming(chat("what is the "
        + "passkey ?"))) {
      s.stream().forEach(chunk -> chunk.choices().forEach(ch -> {
        ch.delta().content().ifPresent(streamed::append);
        ch.delta().role().ifPresent(r -> roles.add(r.asString()));
        ch.finishReason().ifPresent(f -> finishes.add(f.asString()));
      }));
    }
    assertEquals(text, streamed.toString());
    assertEquals(List.of("assistant"), roles, "the first chunk names the role");
    assertEquals(1, finishes.size());
    assertEquals(whole.choices().get(0).finishReason().asString(), finishes.get(0));
  }

  @Test
  void emptyMessagesGetA400WithAnOpenAiErrorBody() throws Exception {
    BadRequestException e = assertThrows(BadRequestException.class, () -> openai.chat().completions()
        .create(ChatCompletionCreateParams.builder().model(ChatModel.of(MODEL)).messages(List.of()).build()));
    assertEquals(400, e.statusCode());
    assertTrue(e.getMessage().contains("prompt is empty"), e.getMessage());

    HttpResponse<String> r = post("/v1/chat/completions", "{\"model\":\"" + MODEL + "\",\"messages\":[]}");
    assertEquals(400, r.statusCode());
    JsonNode error = ChunkFormat.JSON.readTree(r.body()).get("error");
    assertEquals("invalid_request_error", error.get("type").asText());
    assertEquals("prompt is empty: give prompt, prompt_ids or messages", error.get("message").asText(),
        "the gRPC path's own words");
    // a streamed request refused before it starts still gets its status, not a 200 stream
    HttpResponse<String> s = post("/v1/chat/completions", "{\"messages\":[{\"role\":\"user\",\"content\":\"\"}],"
        + "\"stream\":true}");
    assertEquals(400, s.statusCode());
    assertEquals("chat message 0 is empty", ChunkFormat.JSON.readTree(s.body()).at("/error/message").asText());
    // the dLLM options are checked by the same resolver: a block length that does not divide the gen length
    HttpResponse<String> b = post("/v1/completions", "{\"prompt\":\"w1\",\"max_tokens\":8,\"block_length\":3}");
    assertEquals(400, b.statusCode());
    assertEquals(400, post("/v1/completions", "not json").statusCode());
    assertEquals(400, post("/v1/completions", "{\"prompt\":\"a\",\"n\":2}").statusCode());
  }

  @Test
  void anUnknownModelIs404() {
    NotFoundException e = assertThrows(NotFoundException.class, () -> openai.completions()
        .create(CompletionCreateParams.builder().model("no-such-model").prompt("hello").build()));
    assertEquals(404, e.statusCode());
  }

  @Test
  void httpTextEqualsGrpcTextForTheSameGreedyRequest() throws Exception {
    String prompt = HttpCluster.needle();
    GenerateRequest g = GenerateRequest.newBuilder().setModel(MODEL).setPrompt(prompt).setGenLength(8).setSteps(8)
        .setBlockLength(4).setCache(CachePolicy.newBuilder().setMethod("snapkv").setBudget(16)).build();
    Iterator<GenerateEvent> it = GenerationServiceGrpc.newBlockingStub(cluster.channel)
        .withDeadlineAfter(60, TimeUnit.SECONDS).generate(g);
    String grpc = "";
    while (it.hasNext()) {
      GenerateEvent e = it.next();
      if (e.hasSummary()) {
        grpc = e.getSummary().getText();
      }
    }
    Completion c = openai.completions().create(CompletionCreateParams.builder().model(MODEL).prompt(prompt)
        .maxTokens(8).putAdditionalBodyProperty("steps", JsonValue.from(8))
        .putAdditionalBodyProperty("block_length", JsonValue.from(4))
        .putAdditionalBodyProperty("cache_method", JsonValue.from("snapkv"))
        .putAdditionalBodyProperty("budget", JsonValue.from(16)).build());
    assertFalse(grpc.isEmpty());
    assertEquals(grpc, c.choices().get(0).text());
  }

  @Test
  void theRawStreamIsServerSentEventsEndingInDone() throws Exception {
    String body = ChunkFormat.JSON.writeValueAsString(Map.of("prompt", HttpCluster.needle(), "max_tokens", 2,
        "block_length", 2, "budget", 8, "stream", true, "maskkv_events", true));
    HttpResponse<String> r = post("/v1/completions", body);
    assertEquals(200, r.statusCode());
    assertTrue(r.headers().firstValue("content-type").orElse("").startsWith("text/event-stream"));
    List<String> data = r.body().lines().filter(l -> l.startsWith("data:")).map(l -> l.substring(5).trim()).toList();
    assertEquals("[DONE]", data.get(data.size() - 1));
    JsonNode last = ChunkFormat.JSON.readTree(data.get(data.size() - 2));
    assertEquals("stop", last.at("/choices/0/finish_reason").asText());
    assertEquals(512, last.at("/usage/prompt_tokens").asInt());
    assertTrue(last.at("/maskkv/summary/kv_bytes_kept").asLong() < last.at("/maskkv/summary/kv_bytes_prompt_full")
        .asLong(), "the summary tells the KV bytes kept vs full");
    // maskkv_events: the eviction decisions with each head's kept positions, then the steps
    long evictions = data.stream().filter(d -> d.contains("\"eviction\"")).count();
    assertEquals(4, evictions, "one decision per layer of the bundled model");
    JsonNode eviction = ChunkFormat.JSON.readTree(data.stream().filter(d -> d.contains("\"eviction\"")).findFirst()
        .orElseThrow());
    assertEquals(4, eviction.at("/maskkv/eviction/decision/kept_positions").size(), "one list per head");
    assertTrue(data.stream().anyMatch(d -> d.contains("\"step\"")));
  }

  @Test
  void aClientThatLeavesMidStreamFreesTheWorkersKv() throws Exception {
    String body = ChunkFormat.JSON.writeValueAsString(Map.of("prompt", HttpCluster.needle(), "max_tokens", 256,
        "steps", 256, "block_length", 8, "cache_method", "prefix", "early_stop", false, "stream", true,
        "maskkv_events", true));
    HttpResponse<InputStream> r = HTTP.send(request("/v1/completions", body), HttpResponse.BodyHandlers
        .ofInputStream());
    assertEquals(200, r.statusCode());
    BufferedReader lines = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8));
    for (String l = lines.readLine(); l != null && !l.contains("\"step\""); l = lines.readLine()) {
      // read up to the first step: the session holds its KV now
    }
    assertTrue(cluster.worker.worker().ledger().used() > 0, "the worker holds the session's KV");
    r.body().close();
    long closed = System.nanoTime();
    long deadline = closed + TimeUnit.SECONDS.toNanos(10);
    while (cluster.worker.worker().ledger().sessions() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertEquals(0, cluster.worker.worker().ledger().used(), "KV bytes back to zero after the client left");
    assertEquals(0, cluster.worker.worker().ledger().sessions());
    System.out.printf("KV freed %.0f ms after the HTTP client closed its stream%n", (System.nanoTime() - closed) / 1e6);
  }

  @Test
  void aStopStringEndsTheTextAndTheSession() throws Exception {
    String whole = openai.completions().create(needleCompletion()).choices().get(0).text();
    String stop = whole.trim().substring(1, 2); // a character inside the passkey
    Completion c = openai.completions().create(needleCompletion().toBuilder().stop(stop).build());
    assertEquals(whole.substring(0, whole.indexOf(stop)), c.choices().get(0).text());
    assertEquals("stop", c.choices().get(0).finishReason().asString());
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (cluster.worker.worker().ledger().sessions() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertEquals(0, cluster.worker.worker().ledger().used(), "the stopped session's KV is freed");
  }

  @Test
  void thePlaygroundIsServedAtTheRoot() throws Exception {
    HttpResponse<String> page = HTTP.send(HttpRequest.newBuilder(URI.create(cluster.base() + "/")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, page.statusCode());
    assertTrue(page.body().contains("maskkv playground"));
    HttpResponse<String> js = HTTP.send(HttpRequest.newBuilder(URI.create(cluster.base() + "/playground.js"))
        .build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, js.statusCode());
    assertTrue(js.body().contains("v1/completions"), "the page talks to the OpenAI API");
  }

  @Test
  void theWorkersScrapeMovesWhileAGenerationRuns() throws Exception {
    try (io.maskkv.worker.metrics.WorkerMetrics m = io.maskkv.worker.metrics.WorkerMetrics.start(
        cluster.worker.worker().ledger(), "127.0.0.1", 0)) {
      URI uri = URI.create("http://127.0.0.1:" + m.port() + "/prometheus");
      String idle = HTTP.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString()).body();
      assertTrue(idle.contains("maskkv_worker_sessions 0"), idle);
      // a long streamed generation: scrape while it runs, after its first chunk
      double[] seen = {0, 0};
      try (StreamResponse<Completion> s = openai.completions().createStreaming(CompletionCreateParams.builder()
          .model("maskkv-tiny").prompt(HttpCluster.needle()).maxTokens(64).putAdditionalBodyProperty("block_length",
              com.openai.core.JsonValue.from(8)).putAdditionalBodyProperty("early_stop",
              com.openai.core.JsonValue.from(false)).build())) {
        s.stream().limit(1).forEach(c -> {
          try {
            String busy = HTTP.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString()).body();
            seen[0] = value(busy, "maskkv_worker_sessions");
            seen[1] = value(busy, "maskkv_worker_kv_used_bytes");
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        });
      }
      assertEquals(1, seen[0], "the running session is counted");
      assertTrue(seen[1] > 0, "its KV is held");
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      String after;
      do {
        after = HTTP.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString()).body();
        // one scrape reads its gauges one after another (kv_used before sessions), so a release can fall
        // between them: wait until both say the session is gone
      } while ((value(after, "maskkv_worker_sessions") > 0 || value(after, "maskkv_worker_kv_used_bytes") > 0)
          && System.nanoTime() < deadline);
      assertEquals(0, value(after, "maskkv_worker_sessions"), "the session ended when the stream closed");
      assertEquals(0, value(after, "maskkv_worker_kv_used_bytes"), "freed when the stream closed");
    }
  }

  @Test
  void thePrometheusScrapeMovesAfterAGenerationThroughEitherDoor() throws Exception {
    String before = scrape();
    openai.completions().create(needleCompletion());
    GenerationServiceGrpc.newBlockingStub(cluster.channel).withDeadlineAfter(60, TimeUnit.SECONDS)
        .generate(GenerateRequest.newBuilder().setPrompt("w1 w2 w3").setGenLength(4).build())
        .forEachRemaining(e -> { });
    String after = scrape();
    for (String series : List.of("maskkv_steps_total", "maskkv_tokens_total",
        "maskkv_sessions_started_total{door=\"http\"}", "maskkv_sessions_started_total{door=\"grpc\"}",
        "maskkv_sessions_ended_total{status=\"ok\"}", "maskkv_admissions_total", "maskkv_ttft_seconds_count",
        "maskkv_step_latency_seconds_count", "maskkv_prefill_seconds_count", "maskkv_kv_kept_bytes_count")) {
      assertTrue(value(after, series) > value(before, series), series + " moved: " + value(before, series) + " -> "
          + value(after, series));
    }
    assertTrue(after.contains("maskkv_sessions_active"));
    assertTrue(after.contains("maskkv_step_latency_seconds_bucket{le="), "a latency histogram");
    assertTrue(value(after, "maskkv_kv_kept_bytes_sum") < value(after, "maskkv_kv_full_bytes_sum"));
    assertTrue(after.contains("maskkv_eviction_ratio_count{method=\"maskkv\"}"), "eviction ratio per method");
    assertTrue(after.contains("maskkv_worker_healthy{worker=") && after.contains("maskkv_worker_free_kv_bytes{"),
        "each worker's health and free KV");
  }

  private static String scrape() throws Exception {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(cluster.base() + "/prometheus")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode());
    return r.body();
  }

  /** The sample of a series (name with its labels, as scraped), 0 when absent. */
  private static double value(String scrape, String series) {
    return scrape.lines().filter(l -> l.startsWith(series + " ")).mapToDouble(l -> Double.parseDouble(l
        .substring(series.length() + 1).trim().split(" ")[0])).findFirst().orElse(0);
  }

  private static HttpRequest request(String path, String body) {
    return HttpRequest.newBuilder(URI.create(cluster.base() + path)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build();
  }

  private static HttpResponse<String> post(String path, String body) throws Exception {
    return HTTP.send(request(path, body), HttpResponse.BodyHandlers.ofString());
  }
}
