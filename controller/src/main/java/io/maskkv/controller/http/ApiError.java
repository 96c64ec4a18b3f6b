package io.maskkv.controller.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.grpc.Status;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpResponse;

/**
 * An error in OpenAI's shape ({@code {"error": {"message", "type", "param", "code"}}}) with the HTTP status that
 * matches the gRPC status the same check gives on the gRPC API.
 */
record ApiError(HttpStatus status, String type, String code, String message) {
  static final ObjectMapper JSON = new ObjectMapper();

  static ApiError of(Status s) {
    String d = s.getDescription() == null ? s.getCode().name() : s.getDescription();
    return switch (s.getCode()) {
      case INVALID_ARGUMENT -> d.startsWith("unknown model")
          ? new ApiError(HttpStatus.NOT_FOUND, "invalid_request_error", "model_not_found", d)
          : new ApiError(HttpStatus.BAD_REQUEST, "invalid_request_error", null, d);
      case FAILED_PRECONDITION, OUT_OF_RANGE -> new ApiError(HttpStatus.BAD_REQUEST, "invalid_request_error",
          "context_length_exceeded", d);
      case UNAUTHENTICATED -> new ApiError(HttpStatus.UNAUTHORIZED, "authentication_error", "invalid_api_key", d);
      case PERMISSION_DENIED -> new ApiError(HttpStatus.FORBIDDEN, "permission_error", null, d);
      case NOT_FOUND -> new ApiError(HttpStatus.NOT_FOUND, "invalid_request_error", null, d);
      case RESOURCE_EXHAUSTED -> new ApiError(HttpStatus.TOO_MANY_REQUESTS, "rate_limit_error", "no_kv_room", d);
      case UNAVAILABLE -> new ApiError(HttpStatus.SERVICE_UNAVAILABLE, "server_error", "no_worker", d);
      case DEADLINE_EXCEEDED -> new ApiError(HttpStatus.GATEWAY_TIMEOUT, "server_error", "timeout", d);
      case CANCELLED -> new ApiError(HttpStatus.BAD_REQUEST, "invalid_request_error", "cancelled", d);
      default -> new ApiError(HttpStatus.INTERNAL_SERVER_ERROR, "server_error", null, d);
    };
  }

  static ApiError badRequest(String message) {
    return new ApiError(HttpStatus.BAD_REQUEST, "invalid_request_error", null, message);
  }

  ObjectNode json() {
    ObjectNode root = JSON.createObjectNode();
    ObjectNode e = root.putObject("error");
    e.put("message", message);
    e.put("type", type);
    e.putNull("param");
    if (code == null) {
      e.putNull("code");
    } else {
      e.put("code", code);
    }
    return root;
  }

  MutableHttpResponse<String> response() {
    return HttpResponse.<String>status(status).contentType(MediaType.APPLICATION_JSON_TYPE).body(json().toString());
  }
}
