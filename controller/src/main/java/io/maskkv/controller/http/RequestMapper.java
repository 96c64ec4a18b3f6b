package io.maskkv.controller.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.maskkv.proto.v1.CachePolicy;
import io.maskkv.proto.v1.ChatMessage;
import io.maskkv.proto.v1.GenerateRequest;
import io.maskkv.proto.v1.SamplerOptions;
import java.util.ArrayList;
import java.util.List;

/**
 * Maps an OpenAI request body onto {@link GenerateRequest}. Only the JSON shape is checked here (a field of the
 * wrong type, {@code n > 1}); every rule about values (lengths, budgets, methods, empty prompts, unknown models)
 * is the gRPC path's {@code RequestResolver}, so both doors refuse the same requests with the same words.
 *
 * <p>Standard fields: {@code model, prompt | messages, max_tokens (max_completion_tokens), temperature, top_p,
 * seed, stop, stream, n (1 only)}. The dLLM and cache options are extra body fields, named as in the proto:
 * {@code gen_length} (overrides max_tokens), {@code steps, block_length, remasking, threshold, cfg_scale, top_k,
 * factor, alg_temp, eps, logits_eos_inf, confidence_eos_eot_inf,
 * early_stop, cache_method} (alias {@code method}), {@code budget, refresh, gamma, window}, and
 * {@code maskkv_events} (stream steps and evictions with kept positions in a {@code maskkv} chunk field).
 */
final class RequestMapper {
  private RequestMapper() {}

  static CompletionCall completion(ObjectNode body) {
    GenerateRequest.Builder b = common(body);
    JsonNode prompt = body.get("prompt");
    if (prompt == null || prompt.isNull()) {
      // left empty: the resolver says what is missing
    } else if (prompt.isTextual()) {
      b.setPrompt(prompt.asText());
    } else if (prompt.isArray() && prompt.size() == 1 && prompt.get(0).isTextual()) {
      b.setPrompt(prompt.get(0).asText());
    } else if (prompt.isArray() && allInts(prompt)) {
      prompt.forEach(t -> b.addPromptIds(t.asInt()));
    } else {
      throw bad("prompt must be a string, one string in an array, or an array of token ids (batches are not served)",
          "prompt");
    }
    return call(body, b, false);
  }

  static CompletionCall chat(ObjectNode body) {
    GenerateRequest.Builder b = common(body);
    JsonNode messages = body.get("messages");
    if (messages == null || !messages.isArray()) {
      throw bad("messages must be an array of {role, content}", "messages");
    }
    for (JsonNode m : messages) {
      if (!m.isObject()) {
        throw bad("each message must be an object {role, content}", "messages");
      }
      b.addMessages(ChatMessage.newBuilder().setRole(m.path("role").asText("user")).setContent(content(m)));
    }
    return call(body, b, true);
  }

  /** A message's content: a string, or an array of parts of which the text parts are joined. */
  private static String content(JsonNode m) {
    JsonNode c = m.get("content");
    if (c == null || c.isNull()) {
      return "";
    }
    if (c.isTextual()) {
      return c.asText();
    }
    if (c.isArray()) {
      StringBuilder s = new StringBuilder();
      for (JsonNode part : c) {
        if (!"text".equals(part.path("type").asText())) {
          throw bad("only text content parts are served", "messages");
        }
        s.append(s.length() == 0 ? "" : " ").append(part.path("text").asText());
      }
      return s.toString();
    }
    throw bad("message content must be a string or an array of text parts", "messages");
  }

  private static GenerateRequest.Builder common(ObjectNode body) {
    GenerateRequest.Builder b = GenerateRequest.newBuilder().setModel(text(body, "model"));
    if (body.hasNonNull("n") && integer(body, "n") != 1) {
      throw bad("n must be 1: one choice per request", "n");
    }
    // a dLLM's response length is its canvas: max_tokens sets gen_length, which the extra field overrides
    for (String field : new String[] {"max_tokens", "max_completion_tokens", "gen_length"}) {
      if (body.hasNonNull(field)) {
        b.setGenLength(integer(body, field));
      }
    }
    if (body.hasNonNull("steps")) {
      b.setSteps(integer(body, "steps"));
    }
    if (body.hasNonNull("block_length")) {
      b.setBlockLength(integer(body, "block_length"));
    }
    if (body.hasNonNull("early_stop")) {
      b.setEarlyStop(bool(body, "early_stop"));
    }
    SamplerOptions.Builder s = SamplerOptions.newBuilder().setRemasking(text(body, "remasking"));
    if (body.hasNonNull("temperature")) {
      s.setTemperature(number(body, "temperature"));
    }
    if (body.hasNonNull("top_p")) {
      s.setTopP(number(body, "top_p"));
    }
    if (body.hasNonNull("top_k")) {
      s.setTopK(integer(body, "top_k"));
    }
    if (body.hasNonNull("seed")) {
      s.setSeed(body.get("seed").asLong());
    }
    if (body.hasNonNull("threshold")) {
      s.setThreshold(number(body, "threshold"));
    }
    if (body.hasNonNull("cfg_scale")) {
      s.setCfgScale(number(body, "cfg_scale"));
    }
    if (body.hasNonNull("factor")) {
      s.setFactor(number(body, "factor"));
    }
    if (body.hasNonNull("alg_temp")) {
      s.setAlgTemp(number(body, "alg_temp"));
    }
    if (body.hasNonNull("eps")) {
      s.setEps(number(body, "eps"));
    }
    if (body.hasNonNull("logits_eos_inf")) {
      s.setLogitsEosInf(bool(body, "logits_eos_inf"));
    }
    if (body.hasNonNull("confidence_eos_eot_inf")) {
      s.setConfidenceEosEotInf(bool(body, "confidence_eos_eot_inf"));
    }
    b.setSampler(s);
    CachePolicy.Builder c = CachePolicy.newBuilder()
        .setMethod(body.hasNonNull("cache_method") ? text(body, "cache_method") : text(body, "method"))
        .setRefresh(text(body, "refresh"));
    if (body.hasNonNull("budget")) {
      c.setBudget(integer(body, "budget"));
    }
    if (body.hasNonNull("gamma")) {
      c.setGamma(number(body, "gamma"));
    }
    if (body.hasNonNull("window")) {
      c.setWindow(integer(body, "window"));
    }
    b.setCache(c);
    boolean events = body.hasNonNull("maskkv_events") && bool(body, "maskkv_events");
    b.setIncludeEvictions(events).setIncludeKeptPositions(events);
    return b;
  }

  private static CompletionCall call(ObjectNode body, GenerateRequest.Builder b, boolean chat) {
    boolean stream = body.hasNonNull("stream") && bool(body, "stream");
    return new CompletionCall(b.build(), chat, stream, stop(body), b.getIncludeEvictions());
  }

  private static List<String> stop(ObjectNode body) {
    JsonNode s = body.get("stop");
    List<String> out = new ArrayList<>();
    if (s == null || s.isNull()) {
      return out;
    }
    if (s.isTextual()) {
      out.add(s.asText());
    } else if (s.isArray()) {
      s.forEach(x -> {
        if (!x.isTextual()) {
          throw bad("stop must be a string or an array of strings", "stop");
        }
        out.add(x.asText());
      });
    } else {
      throw bad("stop must be a string or an array of strings", "stop");
    }
    if (out.size() > 4 || out.stream().anyMatch(String::isEmpty)) {
      throw bad("stop takes up to 4 non-empty strings", "stop");
    }
    return out;
  }

  private static boolean allInts(JsonNode a) {
    for (JsonNode x : a) {
      if (!x.isIntegralNumber()) {
        return false;
      }
    }
    return a.size() > 0;
  }

  private static String text(ObjectNode body, String field) {
    JsonNode v = body.get(field);
    if (v == null || v.isNull()) {
      return "";
    }
    if (!v.isTextual()) {
      throw bad(field + " must be a string", field);
    }
    return v.asText();
  }

  private static int integer(ObjectNode body, String field) {
    JsonNode v = body.get(field);
    if (!v.isIntegralNumber() || !v.canConvertToInt()) {
      throw bad(field + " must be an integer", field);
    }
    return v.asInt();
  }

  private static double number(ObjectNode body, String field) {
    JsonNode v = body.get(field);
    if (!v.isNumber()) {
      throw bad(field + " must be a number", field);
    }
    return v.asDouble();
  }

  private static boolean bool(ObjectNode body, String field) {
    JsonNode v = body.get(field);
    if (!v.isBoolean()) {
      throw bad(field + " must be true or false", field);
    }
    return v.asBoolean();
  }

  private static ApiException bad(String message, String param) {
    return new ApiException(ApiError.badRequest(message, param));
  }
}
