package io.maskkv.common.security;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * The bearer tokens of the public API ({@code MASKKV_API_TOKEN}, or a file with one token per line). Only their
 * SHA-256 digests are kept, and a presented token is compared with every digest in constant time
 * ({@link MessageDigest#isEqual}), so neither the time nor the length of a comparison says anything about a token.
 */
public final class ApiTokens {
  /** Environment variable holding one token. */
  public static final String ENV = "MASKKV_API_TOKEN";
  /** The caller's identity inside a call: a short, non-secret name derived from its token. */
  public static final Context.Key<String> CALLER = Context.key("maskkv-api-caller");
  static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
  private final List<byte[]> digests;

  public ApiTokens(List<String> tokens) {
    List<byte[]> d = new ArrayList<>();
    for (String t : tokens) {
      String s = t.strip();
      if (s.isEmpty() || s.startsWith("#")) {
        continue;
      }
      if (s.length() < 16) {
        throw new IllegalArgumentException("API tokens must have at least 16 characters (openssl rand -hex 24)");
      }
      d.add(sha256(s));
    }
    if (d.isEmpty()) {
      throw new IllegalArgumentException("no API token given");
    }
    this.digests = List.copyOf(d);
  }

  /** One token per line ({@code #} starts a comment). */
  public static ApiTokens fromFile(Path file) {
    try {
      return new ApiTokens(Files.readAllLines(file));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the API token file " + file + ": " + e.getMessage(), e);
    }
  }

  /** Tokens from a file and/or a single token; empty when neither is given (the API is open). */
  public static Optional<ApiTokens> of(String token, String file) {
    List<String> all = new ArrayList<>();
    if (token != null && !token.isBlank()) {
      all.add(token);
    }
    if (file != null && !file.isBlank()) {
      try {
        all.addAll(Files.readAllLines(Path.of(file)));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read the API token file " + file + ": " + e.getMessage(), e);
      }
    }
    return all.isEmpty() ? Optional.empty() : Optional.of(new ApiTokens(all));
  }

  public int size() {
    return digests.size();
  }

  /**
   * The caller's name (the first 8 hex digits of its token's digest) for a valid {@code Bearer} header, or empty.
   */
  public Optional<String> check(String authorization) {
    if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return Optional.empty();
    }
    byte[] given = sha256(authorization.substring(7).strip());
    boolean ok = false;
    for (byte[] d : digests) {
      ok |= MessageDigest.isEqual(d, given); // no early exit: every token is compared
    }
    return ok ? Optional.of(HexFormat.of().formatHex(given, 0, 4)) : Optional.empty();
  }

  /** UNAUTHENTICATED for calls without a valid token; the caller's name goes into {@link #CALLER}. */
  public ServerInterceptor interceptor() {
    return new ServerInterceptor() {
      @Override
      public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
          ServerCallHandler<Q, R> next) {
        String header = headers.get(AUTHORIZATION);
        Optional<String> caller = check(header);
        if (caller.isEmpty()) {
          call.close(Status.UNAUTHENTICATED.withDescription(header == null
              ? "this API needs a token: send the header 'authorization: Bearer <token>'"
              : "the API token is not valid"), new Metadata());
          return new ServerCall.Listener<>() {};
        }
        return Contexts.interceptCall(Context.current().withValue(CALLER, caller.get()), call, headers, next);
      }
    };
  }

  static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }
}
