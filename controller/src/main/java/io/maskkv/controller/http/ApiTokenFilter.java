package io.maskkv.controller.http;

import io.grpc.Status;
import io.maskkv.controller.Security;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.RequestFilter;
import io.micronaut.http.annotation.ServerFilter;
import java.util.Optional;

/**
 * The HTTP API's gate: the same API tokens as the gRPC API ({@code Authorization: Bearer <token>}, compared in
 * constant time by {@code ApiTokens}); 401 in OpenAI's error shape without one. The caller's name goes into a
 * request attribute, so per-token session limits apply to HTTP sessions too.
 */
@ServerFilter("/v1/**")
public class ApiTokenFilter {
  static final String CALLER = "maskkv.caller";
  private final Security security;

  public ApiTokenFilter(Security security) {
    this.security = security;
  }

  @RequestFilter
  @Nullable
  public HttpResponse<?> check(HttpRequest<?> request) {
    if (security.apiTokens().isEmpty()) {
      return null;
    }
    String header = request.getHeaders().get("Authorization");
    Optional<String> caller = security.apiTokens().get().check(header);
    if (caller.isEmpty()) {
      return Reply.error(ApiError.of(Status.UNAUTHENTICATED.withDescription(header == null
          ? "this API needs a token: send the header 'Authorization: Bearer <token>'"
          : "the API token is not valid")));
    }
    request.setAttribute(CALLER, caller.get());
    return null;
  }
}
