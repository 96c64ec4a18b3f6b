package io.maskkv.controller.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.util.JsonFormat;
import io.maskkv.proto.v1.FinishReason;
import java.io.UncheckedIOException;

/**
 * The OpenAI JSON shapes of one call: stream chunks ({@code chat.completion.chunk} or {@code text_completion})
 * and whole replies ({@code chat.completion} or {@code text_completion}), with {@code usage}. The extra
 * {@code maskkv} field carries a gRPC event in proto3 JSON (field names as in the .proto), so the playground and
 * scripts read the same schema as gRPC clients.
 */
final class ChunkFormat {
  static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonNodeFactory F = JsonNodeFactory.instance;
  private static final JsonFormat.Printer PROTO = JsonFormat.printer().preservingProtoFieldNames()
      .omittingInsignificantWhitespace();
  private final boolean chat;
  private final String id;
  private final long created = System.currentTimeMillis() / 1000;
  private String model;

  ChunkFormat(boolean chat, String model) {
    this.chat = chat;
    this.model = model;
    this.id = (chat ? "chatcmpl-" : "cmpl-") + java.util.UUID.randomUUID().toString().replace("-", "");
  }

  /** The model that serves the session (the request may have left it empty). */
  void model(String served) {
    this.model = served;
  }

  /** A stream chunk: {@code content} may be null (an event-only or role chunk), {@code finish} null until the end. */
  ObjectNode chunk(String content, boolean role, String finish) {
    ObjectNode choice = F.objectNode().put("index", 0);
    if (chat) {
      ObjectNode delta = choice.putObject("delta");
      if (role) {
        delta.put("role", "assistant");
      }
      if (content != null) {
        delta.put("content", content);
      }
    } else {
      choice.put("text", content == null ? "" : content);
      choice.putNull("logprobs");
    }
    if (finish == null) {
      choice.putNull("finish_reason");
    } else {
      choice.put("finish_reason", finish);
    }
    return envelope(chat ? "chat.completion.chunk" : "text_completion", choice);
  }

  /** The whole reply of a non-streaming call. */
  ObjectNode reply(String text, String finish) {
    ObjectNode choice = F.objectNode().put("index", 0);
    if (chat) {
      choice.putObject("message").put("role", "assistant").put("content", text);
    } else {
      choice.put("text", text);
    }
    choice.putNull("logprobs");
    choice.put("finish_reason", finish);
    return envelope(chat ? "chat.completion" : "text_completion", choice);
  }

  static ObjectNode usage(ObjectNode reply, int promptTokens, int completionTokens) {
    reply.putObject("usage").put("prompt_tokens", promptTokens).put("completion_tokens", completionTokens)
        .put("total_tokens", promptTokens + completionTokens);
    return reply;
  }

  static ObjectNode withEvent(ObjectNode reply, MessageOrBuilder event) {
    reply.set("maskkv", proto(event));
    return reply;
  }

  static String finishReason(FinishReason r) {
    return r == FinishReason.FINISH_REASON_LENGTH ? "length" : "stop";
  }

  static JsonNode proto(MessageOrBuilder m) {
    try {
      return JSON.readTree(PROTO.print(m));
    } catch (InvalidProtocolBufferException | com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new UncheckedIOException(new java.io.IOException("cannot print " + m.getClass().getSimpleName(), e));
    }
  }

  private ObjectNode envelope(String object, ObjectNode choice) {
    ObjectNode o = F.objectNode().put("id", id).put("object", object).put("created", created).put("model", model);
    ArrayNode choices = o.putArray("choices");
    choices.add(choice);
    return o;
  }
}
