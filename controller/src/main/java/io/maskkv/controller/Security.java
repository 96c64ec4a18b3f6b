package io.maskkv.controller;

import io.maskkv.common.security.ApiTokens;
import io.maskkv.common.security.ClusterAccess;
import io.maskkv.common.security.ClusterSecret;
import io.maskkv.common.security.TlsFiles;
import io.micronaut.context.annotation.Value;
import io.micronaut.core.annotation.Nullable;
import jakarta.inject.Singleton;
import java.io.File;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The controller's credentials, read once at start: the API tokens clients must present
 * ({@code maskkv.api-token} = {@code MASKKV_API_TOKEN}, or {@code maskkv.api-tokens-file}), and the cluster
 * credential shared with the workers ({@code maskkv.cluster-secret} = {@code MASKKV_CLUSTER_SECRET}, or
 * {@code maskkv.cluster-secret-file}; TLS files under {@code maskkv.cluster-tls.*}). A controller reachable beyond
 * loopback refuses to start without them unless {@code maskkv.allow-insecure} says so.
 */
@Singleton
public class Security {
  private static final Logger LOG = LoggerFactory.getLogger(Security.class);
  private final Optional<ApiTokens> apiTokens;
  private final ClusterAccess cluster;

  public Security(ControllerConfig config, @Nullable @Value("${grpc.server.host}") String host) {
    ControllerConfig.Auth a = config.getAuth();
    this.apiTokens = ApiTokens.of(a.getApiToken(), a.getApiTokensFile());
    Optional<ClusterSecret> secret = Optional.empty();
    if (a.getClusterSecret() != null && !a.getClusterSecret().isBlank()) {
      secret = Optional.of(new ClusterSecret(a.getClusterSecret()));
    } else if (a.getClusterSecretFile() != null && !a.getClusterSecretFile().isBlank()) {
      secret = Optional.of(ClusterSecret.fromFile(Path.of(a.getClusterSecretFile())));
    }
    TlsFiles tls = a.getClusterTlsCert() == null ? null : new TlsFiles(new File(a.getClusterTlsCert()),
        new File(a.getClusterTlsKey()), a.getClusterTlsCa() == null ? null : new File(a.getClusterTlsCa()));
    this.cluster = new ClusterAccess(secret, Optional.ofNullable(tls));
    boolean loopback = loopback(host);
    boolean registration = config.getRegistration().isEnabled();
    String open = (apiTokens.isEmpty() ? "the public API has no token (MASKKV_API_TOKEN)" : "")
        + (apiTokens.isEmpty() && !cluster.secured() ? "; " : "")
        + (!cluster.secured() ? "workers and registrations are not authenticated (MASKKV_CLUSTER_SECRET)" : "");
    if (!open.isEmpty()) {
      if (!loopback && !a.isAllowInsecure()) {
        throw new IllegalArgumentException("refusing to serve on " + (host == null ? "all interfaces" : host)
            + " without credentials: " + open + ". Set them, bind to 127.0.0.1, or set maskkv.auth.allow-insecure="
            + "true (MASKKV_AUTH_ALLOW_INSECURE) for a trusted network");
      }
      LOG.warn("SECURITY OFF: {}{}", open, loopback ? " (bound to loopback: only this machine can connect)"
          : " (maskkv.auth.allow-insecure: anyone who reaches the port can use it)");
    }
    if (cluster.secret().isPresent() && cluster.tls().isEmpty()) {
      LOG.info("the cluster secret authenticates workers; cluster TLS is off (maskkv.auth.cluster-tls-*)");
    }
    if (!registration) {
      LOG.info("worker self-registration is off");
    }
  }

  static boolean loopback(String host) {
    if (host == null || host.isBlank()) {
      return false; // micronaut-grpc binds every interface
    }
    try {
      return InetAddress.getByName(host).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }

  public Optional<ApiTokens> apiTokens() {
    return apiTokens;
  }

  public ClusterAccess cluster() {
    return cluster;
  }
}
