package io.maskkv.controller.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** With API tokens configured, the HTTP API takes the same tokens as gRPC and answers 401 in OpenAI's shape. */
class HttpAuthTest {
  static final String TOKEN = "http-auth-test-token-0123456789";

  @Test
  void onlyAValidBearerTokenGetsThroughAndTheLimitsFollowTheToken() throws Exception {
    try (HttpCluster c = new HttpCluster(Map.of("maskkv.auth.api-token", TOKEN))) {
      HttpClient http = HttpClient.newHttpClient();
      HttpResponse<String> none = http.send(HttpRequest.newBuilder(URI.create(c.base() + "/v1/models")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(401, none.statusCode());
      assertTrue(none.body().contains("\"error\"") && none.body().contains("Bearer"), none.body());
      HttpResponse<String> wrong = http.send(HttpRequest.newBuilder(URI.create(c.base() + "/v1/completions"))
          .header("Authorization", "Bearer not-the-token-0123456789").header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString("{\"prompt\":\"the key\",\"max_tokens\":2}")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(401, wrong.statusCode());
      HttpResponse<String> ok = http.send(HttpRequest.newBuilder(URI.create(c.base() + "/v1/completions"))
          .header("Authorization", "Bearer " + TOKEN).header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString("{\"prompt\":\"the key is red . what is the key ?\","
              + "\"max_tokens\":2}")).build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(200, ok.statusCode(), ok.body());
      assertTrue(ok.body().contains("\"text_completion\""), ok.body());
    }
  }
}
