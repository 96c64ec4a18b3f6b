package io.maskkv.common.security;

import io.grpc.ChannelCredentials;
import io.grpc.CompositeChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.TlsChannelCredentials;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * A client's channel to the controller's public API: TLS when asked for (trusting {@code ca}, or the JDK's trust
 * store), and the API token from {@code MASKKV_API_TOKEN} (an environment variable, so it stays out of the
 * process list) on every call. Without TLS the token crosses the network in the clear: fine on loopback only.
 */
public final class PublicChannel {
  private PublicChannel() {}

  /** @param tls use TLS; {@code ca} null = the JDK's trust store */
  public static ManagedChannel open(String host, int port, boolean tls, File ca) {
    ChannelCredentials creds = InsecureChannelCredentials.create();
    if (tls || ca != null) {
      try {
        TlsChannelCredentials.Builder b = TlsChannelCredentials.newBuilder();
        if (ca != null) {
          b.trustManager(ca);
        }
        creds = b.build();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read the CA file " + ca + ": " + e.getMessage(), e);
      }
    }
    String token = System.getenv(ApiTokens.ENV);
    if (token != null && !token.isBlank()) {
      creds = CompositeChannelCredentials.create(creds, new BearerToken(token));
    }
    return Grpc.newChannelBuilderForAddress(host, port, creds).build();
  }
}
