package io.maskkv.controller.http;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.grpc.Status;

/**
 * An OpenAI-style error: the HTTP status and {@code {"error":{"message","type","param","code"}}}. The gRPC path
 * decides what is wrong (one implementation of request checking); this only translates its status.
 */
record ApiError(int httpStatus, String message, String type, String param, String code) {
  /** The resolver names an unknown model in an INVALID_ARGUMENT; OpenAI clients expect 404 for it. */
  private static final String UNKNOWN_MODEL = "unknown model";

  static ApiError badRequest(String message, String param) {
    return new ApiError(400, message, "invalid_request_error", param, null);
  }

  static ApiError of(Status s) {
    String m = s.getDescription() == null ? s.getCode().name() : s.getDescription();
    return switch (s.getCode()) {
      case INVALID_ARGUMENT, OUT_OF_RANGE, FAILED_PRECONDITION -> m.startsWith(UNKNOWN_MODEL)
          ? new ApiError(404, m, "invalid_request_error", "model", "model_not_found")
          : new ApiError(400, m, "invalid_request_error", null, null);
      case UNAUTHENTICATED -> new ApiError(401, m, "authentication_error", null, "invalid_api_key");
      case PERMISSION_DENIED -> new ApiError(403, m, "permission_error", null, null);
      case NOT_FOUND -> new ApiError(404, m, "invalid_request_error", null, "not_found");
      // no worker group has room for the session's KV (after the admission queue), or the queue is full
      case RESOURCE_EXHAUSTED -> new ApiError(429, m, "rate_limit_error", null, "no_kv_room");
      case UNAVAILABLE -> new ApiError(503, m, "server_error", null, "no_worker");
      case DEADLINE_EXCEEDED -> new ApiError(504, m, "server_error", null, "timeout");
      // nginx's "client closed request": only ever logged, the client is gone
      case CANCELLED -> new ApiError(499, m, "cancelled", null, null);
      default -> new ApiError(500, m, "server_error", null, null);
    };
  }

  ObjectNode json() {
    ObjectNode e = JsonNodeFactory.instance.objectNode();
    e.put("message", message).put("type", type);
    if (param == null) {
      e.putNull("param");
    } else {
      e.put("param", param);
    }
    if (code == null) {
      e.putNull("code");
    } else {
      e.put("code", code);
    }
    ObjectNode root = JsonNodeFactory.instance.objectNode();
    root.set("error", e);
    return root;
  }
}
