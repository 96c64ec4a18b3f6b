package io.maskkv.common.security;

import io.grpc.CallCredentials;
import io.grpc.Metadata;
import java.util.concurrent.Executor;

/** Sends {@code authorization: Bearer <token>} with every call (the client side of {@link ApiTokens}). */
public final class BearerToken extends CallCredentials {
  private final String token;

  public BearerToken(String token) {
    this.token = token.strip();
  }

  @Override
  public void applyRequestMetadata(RequestInfo info, Executor executor, MetadataApplier applier) {
    Metadata m = new Metadata();
    m.put(ApiTokens.AUTHORIZATION, "Bearer " + token);
    applier.apply(m);
  }
}
