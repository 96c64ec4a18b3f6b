package io.maskkv.controller.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.errors.UnauthorizedException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.completions.Completion;
import com.openai.models.completions.CompletionCreateParams;
import io.maskkv.common.model.ModelFamily;
import io.maskkv.proto.v1.ChatMessage;
import io.maskkv.proto.v1.GenerateRequest;
import io.maskkv.worker.grpc.WorkerServer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The HTTP API as users' code sees it: the official OpenAI Java SDK lists models, completes and chats (whole and
 * streamed) against a real controller and worker; the text equals the gRPC API's for the same greedy request;
 * errors come back as OpenAI error JSON with the right status; a client that disconnects frees the session's KV.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OpenAiApiTest {
  static final String TOKEN = "http-test-api-token-0123456789";
  static final String PROMPT = "the key is red . the passkey is blue . what is the key ?";
  private io.maskkv.controller.HttpTestCluster cluster;
  private OpenAIClient client;
  private String model;

  @BeforeAll
  void start() {
    cluster = io.maskkv.controller.HttpTestCluster.start(ModelFamily.LLADA, Map.of("maskkv.auth.api-token", TOKEN));
    model = cluster.modelName();
    client = OpenAIOkHttpClient.builder().baseUrl("http://127.0.0.1:" + cluster.httpPort() + "/v1").apiKey(TOKEN)
        .maxRetries(0).build();
  }

  @AfterAll
  void stop() {
    cluster.close();
  }

  @Test
  void theSdkListsTheModel() {
    List<String> ids = client.models().list().data().stream().map(m -> m.id()).toList();
    assertEquals(List.of(model), ids);
  }

  @Test
  void aCompletionEqualsTheGrpcAnswerForTheSameRequest() {
    Completion c = client.completions().create(CompletionCreateParams.builder().model(model).prompt(PROMPT)
        .maxTokens(16).temperature(0.0).putAdditionalBodyProperty("cache", JsonValue.from("maskkv"))
        .putAdditionalBodyProperty("budget", JsonValue.from(8)).build());
    String grpc = cluster.grpcText(GenerateRequest.newBuilder().setModel(model).setPrompt(PROMPT).setGenLength(16)
        .setBlockLength(16).setCache(io.maskkv.proto.v1.CachePolicy.newBuilder().setMethod("maskkv").setBudget(8))
        .build());
    assertEquals(grpc, c.choices().get(0).text());
    assertEquals("text_completion", c._object_().asString().orElseThrow());
    assertTrue(c.usage().orElseThrow().promptTokens() > 0);
  }

  @Test
  void aStreamedChatConcatenatesToTheWholeAnswer() {
    ChatCompletionCreateParams p = ChatCompletionCreateParams.builder().model(model).addUserMessage(PROMPT)
        .maxCompletionTokens(16).temperature(0.0).putAdditionalBodyProperty("block_length", JsonValue.from(8))
        .build();
    ChatCompletion whole = client.chat().completions().create(p);
    String expected = whole.choices().get(0).message().content().orElse("");
    StringBuilder streamed = new StringBuilder();
    List<String> finish = new ArrayList<>();
    try (StreamResponse<ChatCompletionChunk> s = client.chat().completions().createStreaming(p)) {
      s.stream().forEach(chunk -> chunk.choices().forEach(ch -> {
        ch.delta().content().ifPresent(streamed::append);
        ch.finishReason().ifPresent(f -> finish.add(f.asString()));
      }));
    }
    assertEquals(expected, streamed.toString());
    assertEquals(1, finish.size(), "one last chunk with the finish reason");
    String grpc = cluster.grpcText(GenerateRequest.newBuilder().setModel(model)
        .addMessages(ChatMessage.newBuilder().setRole("user").setContent(PROMPT)).setGenLength(16).setBlockLength(8)
        .build());
    assertEquals(grpc, expected);
  }

  @Test
  void errorsAreOpenAiJsonWithTheRightStatus() {
    BadRequestException empty = assertThrows(BadRequestException.class, () -> client.chat().completions()
        .create(ChatCompletionCreateParams.builder().model(model).messages(List.of()).build()));
    assertEquals(400, empty.statusCode());
    assertTrue(empty.getMessage().contains("messages"), empty.getMessage());
    OpenAIClient anonymous = OpenAIOkHttpClient.builder().baseUrl("http://127.0.0.1:" + cluster.httpPort() + "/v1")
        .apiKey("not-the-token-0123456789").maxRetries(0).build();
    assertThrows(UnauthorizedException.class, () -> anonymous.models().list());
    com.openai.errors.NotFoundException unknown = assertThrows(com.openai.errors.NotFoundException.class,
        () -> client.completions().create(CompletionCreateParams.builder().model("no-such-model").prompt("x")
            .maxTokens(4).build()));
    assertEquals(404, unknown.statusCode());
    assertTrue(unknown.getMessage().contains("unknown model"), unknown.getMessage());
    BadRequestException nan = assertThrows(BadRequestException.class, () -> client.completions()
        .create(CompletionCreateParams.builder().model(model).prompt("x").maxTokens(4).temperature(-1.0).build()));
    assertTrue(nan.getMessage().contains("temperature"), nan.getMessage());
  }

  @Test
  void stopStringsCutTheAnswerAndADisconnectFreesTheKv() throws Exception {
    String body = "{\"model\":\"" + model + "\",\"prompt\":\"" + PROMPT + "\",\"max_tokens\":200,\"block_length\":8,"
        + "\"stream\":true,\"early_stop\":false}";
    HttpClient http = HttpClient.newHttpClient();
    HttpRequest r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + cluster.httpPort() + "/v1/completions"))
        .header("Authorization", "Bearer " + TOKEN).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    HttpResponse<java.io.InputStream> resp = http.send(r, HttpResponse.BodyHandlers.ofInputStream());
    assertEquals(200, resp.statusCode());
    try (BufferedReader in = new BufferedReader(new InputStreamReader(resp.body(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = in.readLine()) != null && !line.startsWith("data:")) {
        // until the first event
      }
      assertTrue(line != null && line.startsWith("data:"), "an SSE data line");
    }
    // the stream is closed mid-generation: the session is cancelled and its KV freed
    WorkerServer w = cluster.worker();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (w.worker().ledger().sessions() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertEquals(0, w.worker().ledger().sessions(), "the disconnected session's KV is freed");
    Completion whole = client.completions().create(CompletionCreateParams.builder().model(model).prompt(PROMPT)
        .maxTokens(16).temperature(0.0).build());
    String text = whole.choices().get(0).text();
    assertFalse(text.isEmpty());
    String stop = text.substring(Math.min(2, text.length() - 1), Math.min(4, text.length()));
    Completion cut = client.completions().create(CompletionCreateParams.builder().model(model).prompt(PROMPT)
        .maxTokens(16).temperature(0.0).stop(stop).build());
    assertEquals(text.substring(0, text.indexOf(stop)), cut.choices().get(0).text());
    assertEquals("stop", cut.choices().get(0).finishReason().asString());
  }
}
