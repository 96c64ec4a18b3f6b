package io.maskkv.controller.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.maskkv.proto.v1.CachePolicy;
import io.maskkv.proto.v1.ChatMessage;
import io.maskkv.proto.v1.GenerateRequest;
import io.maskkv.proto.v1.SamplerOptions;
import java.util.ArrayList;
import java.util.List;

/**
 * An OpenAI {@code /v1/completions} or {@code /v1/chat/completions} body as the {@link GenerateRequest} the gRPC API
 * takes, so both APIs share one validation and one generation path. Standard fields: {@code model},
 * {@code prompt} / {@code messages}, {@code max_tokens} (the response length, {@code gen_length}), {@code temperature},
 * {@code top_p}, {@code seed}, {@code stop}, {@code stream}. The dLLM and cache options are extra body fields:
 * {@code gen_length}, {@code block_length}, {@code steps}, {@code remasking}, {@code threshold}, {@code top_k},
 * {@code cfg_scale}, {@code cache} (method), {@code budget}, {@code refresh}, {@code gamma}, {@code window},
 * {@code early_stop}, {@code include_evictions}.
 *
 * @param stop strings that end the answer: the text is cut before the first one and the finish reason is "stop"
 */
record CompletionRequest(GenerateRequest request, boolean stream, boolean chat, List<String> stop) {
  static CompletionRequest parse(String body, boolean chat) {
    JsonNode n;
    try {
      n = ApiError.JSON.readTree(body);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalArgumentException("the body is not valid JSON: " + e.getOriginalMessage());
    }
    if (n == null || !n.isObject()) {
      throw new IllegalArgumentException("the body must be a JSON object");
    }
    GenerateRequest.Builder r = GenerateRequest.newBuilder().setModel(text(n, "model", ""));
    if (chat) {
      JsonNode messages = n.path("messages");
      if (!messages.isArray() || messages.isEmpty()) {
        throw new IllegalArgumentException("messages must be a non-empty array");
      }
      for (JsonNode m : messages) {
        String content = content(m.path("content"));
        if (content.isBlank()) {
          throw new IllegalArgumentException("message " + r.getMessagesCount() + " has no content");
        }
        r.addMessages(ChatMessage.newBuilder().setRole(text(m, "role", "user")).setContent(content));
      }
    } else {
      JsonNode p = n.path("prompt");
      if (p.isArray()) {
        if (p.size() != 1 || !p.get(0).isTextual()) {
          throw new IllegalArgumentException("prompt must be a string (or an array of one string)");
        }
        p = p.get(0);
      }
      if (!p.isTextual() || p.asText().isEmpty()) {
        throw new IllegalArgumentException("prompt must be a non-empty string");
      }
      r.setPrompt(p.asText());
    }
    if (n.has("n") && n.path("n").asInt(1) != 1) {
      throw new IllegalArgumentException("n must be 1 (one choice per request)");
    }
    Integer gen = integer(n, "gen_length");
    Integer max = integer(n, "max_tokens");
    if (max == null) {
      max = integer(n, "max_completion_tokens");
    }
    if (gen != null) {
      r.setGenLength(gen);
    } else if (max != null) {
      r.setGenLength(max);
    }
    Integer block = integer(n, "block_length");
    if (block != null) {
      r.setBlockLength(block);
    } else if (r.hasGenLength()) {
      r.setBlockLength(r.getGenLength()); // one block unless the request asks for semi-autoregressive decoding
    }
    Integer steps = integer(n, "steps");
    if (steps != null) {
      r.setSteps(steps);
    }
    SamplerOptions.Builder s = SamplerOptions.newBuilder();
    Double d;
    if ((d = number(n, "temperature")) != null) {
      s.setTemperature(d);
    }
    if ((d = number(n, "top_p")) != null) {
      s.setTopP(d);
    }
    if ((d = number(n, "threshold")) != null) {
      s.setThreshold(d);
    }
    if ((d = number(n, "cfg_scale")) != null) {
      s.setCfgScale(d);
    }
    Integer i;
    if ((i = integer(n, "top_k")) != null) {
      s.setTopK(i);
    }
    if (n.hasNonNull("seed")) {
      s.setSeed(n.path("seed").asLong());
    }
    if (n.hasNonNull("remasking")) {
      s.setRemasking(n.path("remasking").asText());
    }
    r.setSampler(s);
    CachePolicy.Builder c = CachePolicy.newBuilder().setMethod(text(n, "cache", ""))
        .setRefresh(text(n, "refresh", ""));
    if ((i = integer(n, "budget")) != null) {
      c.setBudget(i);
    }
    if ((d = number(n, "gamma")) != null) {
      c.setGamma(d);
    }
    if ((i = integer(n, "window")) != null) {
      c.setWindow(i);
    }
    r.setCache(c);
    if (n.hasNonNull("early_stop")) {
      r.setEarlyStop(n.path("early_stop").asBoolean());
    }
    r.setIncludeEvictions(n.path("include_evictions").asBoolean(false))
        .setIncludeKeptPositions(n.path("include_evictions").asBoolean(false));
    List<String> stop = new ArrayList<>();
    JsonNode st = n.path("stop");
    if (st.isTextual()) {
      stop.add(st.asText());
    } else if (st.isArray()) {
      st.forEach(x -> stop.add(x.asText()));
    }
    stop.removeIf(String::isEmpty);
    return new CompletionRequest(r.build(), n.path("stream").asBoolean(false), chat, List.copyOf(stop));
  }

  /** Chat content is a string, or OpenAI's array of {type: text, text} parts. */
  private static String content(JsonNode c) {
    if (c.isTextual()) {
      return c.asText();
    }
    StringBuilder b = new StringBuilder();
    if (c.isArray()) {
      for (JsonNode part : c) {
        if (part.path("type").asText("text").equals("text")) {
          b.append(part.path("text").asText(""));
        }
      }
    }
    return b.toString();
  }

  private static String text(JsonNode n, String field, String otherwise) {
    JsonNode v = n.get(field);
    return v == null || v.isNull() ? otherwise : v.asText();
  }

  private static Integer integer(JsonNode n, String field) {
    JsonNode v = n.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.canConvertToInt() || !v.isIntegralNumber()) {
      throw new IllegalArgumentException(field + " must be an integer");
    }
    return v.asInt();
  }

  private static Double number(JsonNode n, String field) {
    JsonNode v = n.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isNumber()) {
      throw new IllegalArgumentException(field + " must be a number");
    }
    return v.asDouble();
  }

  /** The text cut before the first stop string; null when none occurs. */
  String cut(String text) {
    int at = -1;
    for (String s : stop) {
      int i = text.indexOf(s);
      if (i >= 0 && (at < 0 || i < at)) {
        at = i;
      }
    }
    return at < 0 ? null : text.substring(0, at);
  }
}
