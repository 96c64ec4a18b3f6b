package io.maskkv.common.security;

import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.InsecureServerCredentials;
import io.grpc.ManagedChannelBuilder;
import io.grpc.ServerCredentials;
import io.grpc.ServerServiceDefinition;
import java.util.Map;
import java.util.Optional;

/**
 * How the controller and its workers recognise each other: the shared cluster secret (authentication) and,
 * optionally, TLS files (encryption; mutual TLS with a CA). {@link #OPEN} is neither: for tests, the embedded
 * worker and a laptop on loopback, and said loudly in the log wherever a port is open like that.
 */
public record ClusterAccess(Optional<ClusterSecret> secret, Optional<TlsFiles> tls) {
  public static final ClusterAccess OPEN = new ClusterAccess(Optional.empty(), Optional.empty());

  public static ClusterAccess of(ClusterSecret secret) {
    return new ClusterAccess(Optional.of(secret), Optional.empty());
  }

  /** The secret from the environment ({@link ClusterSecret#ENV}, {@link ClusterSecret#ENV_FILE}), and these files. */
  public static ClusterAccess fromEnvironment(Map<String, String> env, TlsFiles tls) {
    return new ClusterAccess(ClusterSecret.fromEnvironment(env), Optional.ofNullable(tls));
  }

  public boolean secured() {
    return secret.isPresent() || tls.map(t -> t.ca() != null).orElse(false);
  }

  /** A service that only credential holders may call, parsing bad frames cheaply. */
  public ServerServiceDefinition guard(ServerServiceDefinition service) {
    return secret.map(s -> MalformedInput.guard(service, ClusterCalls.server(s)))
        .orElseGet(() -> MalformedInput.guard(service));
  }

  public ServerCredentials serverCredentials() {
    return tls.map(TlsFiles::server).orElseGet(InsecureServerCredentials::create);
  }

  public ChannelCredentials channelCredentials() {
    return tls.map(TlsFiles::channel).orElseGet(InsecureChannelCredentials::create);
  }

  /** A channel to a cluster peer that signs every call and checks the peer's proof. */
  public ManagedChannelBuilder<?> channel(String address) {
    ManagedChannelBuilder<?> b = Grpc.newChannelBuilder(address, channelCredentials());
    secret.ifPresent(s -> b.intercept(ClusterCalls.client(s)));
    return b;
  }
}
