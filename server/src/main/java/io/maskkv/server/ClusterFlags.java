package io.maskkv.server;

import io.maskkv.common.security.ClusterAccess;
import io.maskkv.common.security.TlsFiles;
import java.io.File;
import picocli.CommandLine.Option;

/**
 * The cluster credential of a worker: the shared secret comes from the environment only
 * ({@code MASKKV_CLUSTER_SECRET} or {@code MASKKV_CLUSTER_SECRET_FILE}), so it never shows in a process list;
 * TLS files from these flags.
 */
final class ClusterFlags {
  @Option(names = "--tls-cert", description = "PEM certificate chain of this worker (turns TLS on)")
  File cert;

  @Option(names = "--tls-key", description = "PEM private key of --tls-cert")
  File key;

  @Option(names = "--tls-ca", description = "PEM CA that signed the controller's certificate: callers must present a "
      + "certificate it signed (mutual TLS), and the controller's certificate is checked against it")
  File ca;

  ClusterAccess access() {
    TlsFiles tls = cert == null && key == null ? null : new TlsFiles(cert, key, ca);
    if (tls == null && ca != null) {
      throw new IllegalArgumentException("--tls-ca needs --tls-cert and --tls-key");
    }
    return ClusterAccess.fromEnvironment(System.getenv(), tls);
  }
}
