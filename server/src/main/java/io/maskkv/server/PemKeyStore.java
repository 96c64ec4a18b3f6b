package io.maskkv.server;

import java.io.IOException;
import java.io.OutputStream;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

/**
 * The public TLS pair (PEM, as gRPC takes it) as the PKCS#12 key store Micronaut's HTTP server takes, written to a
 * private temporary file, so one {@code --tls-cert/--tls-key} pair encrypts both public ports.
 */
final class PemKeyStore {
  static final String ALIAS = "maskkv";

  private PemKeyStore() {}

  /** Writes the key store; returns its path. The password protects nothing beyond the file's own permissions. */
  static Path write(Path cert, Path key, char[] password) {
    try {
      List<Certificate> chain = new ArrayList<>();
      try (var in = Files.newInputStream(cert)) {
        chain.addAll(CertificateFactory.getInstance("X.509").generateCertificates(in));
      }
      PrivateKey pk;
      try (Reader r = Files.newBufferedReader(key); PEMParser p = new PEMParser(r)) {
        Object o = p.readObject();
        JcaPEMKeyConverter c = new JcaPEMKeyConverter();
        pk = o instanceof PEMKeyPair kp ? c.getKeyPair(kp).getPrivate() : c.getPrivateKey((PrivateKeyInfo) o);
      }
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(null, null);
      ks.setKeyEntry(ALIAS, pk, password, chain.toArray(Certificate[]::new));
      Path file = Files.createTempFile("maskkv-https-", ".p12");
      file.toFile().deleteOnExit();
      try (OutputStream out = Files.newOutputStream(file)) {
        ks.store(out, password);
      }
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the TLS files " + cert + ", " + key + ": " + e.getMessage(), e);
    } catch (GeneralSecurityException | ClassCastException e) {
      throw new IllegalArgumentException("the TLS files " + cert + ", " + key + " are not a PEM certificate chain and "
          + "private key: " + e.getMessage(), e);
    }
  }
}
