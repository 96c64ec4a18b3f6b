package io.maskkv.common.security;

import io.grpc.ChannelCredentials;
import io.grpc.ServerCredentials;
import io.grpc.TlsChannelCredentials;
import io.grpc.TlsServerCredentials;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * PEM files for TLS between the controller and its workers: this process's certificate chain and private key, and
 * the CA that signed the peers' certificates. With a CA, both sides present certificates and check the other's
 * (mutual TLS): a worker accepts only callers whose certificate that CA signed.
 *
 * @param ca null: no client certificates are asked for, and servers are checked against the JDK's trust store
 */
public record TlsFiles(File cert, File key, File ca) {
  public TlsFiles {
    for (File f : new File[] {cert, key, ca}) {
      if (f != null && !f.isFile()) {
        throw new IllegalArgumentException("TLS file " + f + " not found");
      }
    }
    if (cert == null || key == null) {
      throw new IllegalArgumentException("TLS needs both a certificate chain and its private key");
    }
  }

  public ServerCredentials server() {
    try {
      TlsServerCredentials.Builder b = TlsServerCredentials.newBuilder().keyManager(cert, key);
      if (ca != null) {
        b.trustManager(ca).clientAuth(TlsServerCredentials.ClientAuth.REQUIRE);
      }
      return b.build();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read TLS files " + cert + ", " + key + ": " + e.getMessage(), e);
    }
  }

  public ChannelCredentials channel() {
    try {
      TlsChannelCredentials.Builder b = TlsChannelCredentials.newBuilder().keyManager(cert, key);
      if (ca != null) {
        b.trustManager(ca);
      }
      return b.build();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read TLS files " + cert + ", " + key + ": " + e.getMessage(), e);
    }
  }
}
