package io.maskkv.server;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A development CA and certificates signed by it, as PEM files: enough for TLS on the public API and mutual TLS
 * between the controller and its workers on a laptop or in tests. Production takes files from a real CA (a
 * Kubernetes or compose secret); these are valid for 30 days and name localhost, 127.0.0.1 and the given hosts.
 */
final class DevCertificates {
  private static final SecureRandom RANDOM = new SecureRandom();

  private DevCertificates() {}

  /** The files written for one name: {@code NAME.pem} (chain) and {@code NAME-key.pem} (PKCS#8 key). */
  record Pair(Path cert, Path key) {}

  /**
   * Writes {@code ca.pem} and one certificate pair per name into {@code dir}; returns the pairs in order.
   *
   * @param hosts extra DNS names or IP addresses the certificates are valid for
   */
  static List<Pair> write(Path dir, List<String> names, List<String> hosts) {
    try {
      Files.createDirectories(dir);
      KeyPair caKey = keyPair();
      X500Name caName = new X500Name("CN=maskkv development CA");
      Instant now = Instant.now();
      X509v3CertificateBuilder ca = new JcaX509v3CertificateBuilder(caName, serial(), Date.from(now.minusSeconds(60)),
          Date.from(now.plus(Duration.ofDays(30))), caName, caKey.getPublic())
          .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
          .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      X509Certificate caCert = sign(ca, caKey);
      pem(dir.resolve("ca.pem"), caCert, false);
      List<Pair> out = new ArrayList<>();
      for (String name : names) {
        KeyPair key = keyPair();
        List<GeneralName> san = new ArrayList<>(List.of(new GeneralName(GeneralName.dNSName, "localhost"),
            new GeneralName(GeneralName.iPAddress, "127.0.0.1"), new GeneralName(GeneralName.dNSName, name)));
        for (String h : hosts) {
          san.add(new GeneralName(isIp(h) ? GeneralName.iPAddress : GeneralName.dNSName, h));
        }
        X509v3CertificateBuilder leaf = new JcaX509v3CertificateBuilder(caName, serial(),
            Date.from(now.minusSeconds(60)), Date.from(now.plus(Duration.ofDays(30))), new X500Name("CN=" + name),
            key.getPublic())
            .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
            .addExtension(Extension.subjectAlternativeName, false, new GeneralNames(san.toArray(GeneralName[]::new)));
        Pair p = new Pair(dir.resolve(name + ".pem"), dir.resolve(name + "-key.pem"));
        pem(p.cert(), sign(leaf, caKey), false);
        pem(p.key(), new JcaPKCS8Generator(key.getPrivate(), null), true);
        out.add(p);
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write certificates to " + dir + ": " + e.getMessage(), e);
    } catch (GeneralSecurityException | org.bouncycastle.operator.OperatorCreationException e) {
      throw new IllegalStateException("certificate generation failed: " + e.getMessage(), e);
    }
  }

  private static boolean isIp(String h) {
    return h.matches("[0-9.]+") || h.contains(":");
  }

  private static KeyPair keyPair() throws GeneralSecurityException {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(256, RANDOM);
    return g.generateKeyPair();
  }

  private static BigInteger serial() {
    return new BigInteger(64, RANDOM);
  }

  private static X509Certificate sign(X509v3CertificateBuilder b, KeyPair signer)
      throws GeneralSecurityException, org.bouncycastle.operator.OperatorCreationException {
    ContentSigner s = new JcaContentSignerBuilder("SHA256withECDSA").build(signer.getPrivate());
    return new JcaX509CertificateConverter().getCertificate(b.build(s));
  }

  private static void pem(Path file, Object value, boolean secret) throws IOException {
    StringWriter w = new StringWriter();
    try (JcaPEMWriter pw = new JcaPEMWriter(w)) {
      pw.writeObject(value);
    }
    Files.writeString(file, w.toString());
    if (secret) {
      try {
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
      } catch (UnsupportedOperationException e) {
        // not a POSIX file system: the file keeps its default permissions
      }
    }
  }
}
