package io.maskkv.common.security;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The credential shared by the controller and its workers ({@code MASKKV_CLUSTER_SECRET}). It never crosses the
 * wire: a caller sends a fresh, timestamped nonce with its HMAC ({@link #sign}); the callee checks it
 * ({@link #verify}) and answers with an HMAC of that header ({@link #proof}), so each side knows the other holds the
 * secret. Clients of the public API never hold it.
 */
public final class ClusterSecret {
  /** Environment variable holding the secret itself. */
  public static final String ENV = "MASKKV_CLUSTER_SECRET";
  /** Environment variable naming a file that holds the secret (a Kubernetes or compose secret mount). */
  public static final String ENV_FILE = "MASKKV_CLUSTER_SECRET_FILE";
  static final int MIN_LENGTH = 16;
  /** How far a signed header's clock may be from ours: bounds the replay window of a captured header. */
  static final long MAX_SKEW_MS = 5 * 60_000;
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final HexFormat HEX = HexFormat.of();
  private final byte[] key;

  public ClusterSecret(String secret) {
    String s = secret.strip();
    if (s.length() < MIN_LENGTH) {
      throw new IllegalArgumentException("the cluster secret must have at least " + MIN_LENGTH + " characters, got "
          + s.length() + " (generate one: openssl rand -hex 32)");
    }
    this.key = s.getBytes(StandardCharsets.UTF_8);
  }

  /** The secret from {@code MASKKV_CLUSTER_SECRET} or the file named by {@code MASKKV_CLUSTER_SECRET_FILE}. */
  public static Optional<ClusterSecret> fromEnvironment(Map<String, String> env) {
    String direct = env.get(ENV);
    if (direct != null && !direct.isBlank()) {
      return Optional.of(new ClusterSecret(direct));
    }
    String file = env.get(ENV_FILE);
    if (file != null && !file.isBlank()) {
      return Optional.of(fromFile(Path.of(file)));
    }
    return Optional.empty();
  }

  public static ClusterSecret fromFile(Path file) {
    try {
      return new ClusterSecret(Files.readString(file));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the cluster secret file " + file + ": " + e.getMessage(), e);
    }
  }

  /** A header value for one call: {@code v1.<millis>.<nonce>.<hmac>}. */
  public String sign() {
    byte[] nonce = new byte[12];
    RANDOM.nextBytes(nonce);
    String body = "v1." + System.currentTimeMillis() + "." + HEX.formatHex(nonce);
    return body + "." + hmac("call|" + body);
  }

  /** Whether the header was signed with this secret within the allowed clock skew. */
  public boolean verify(String header) {
    if (header == null || header.length() > 200) {
      return false;
    }
    int cut = header.lastIndexOf('.');
    if (cut < 0) {
      return false;
    }
    String body = header.substring(0, cut);
    String[] parts = body.split("\\.");
    if (parts.length != 3 || !parts[0].equals("v1")) {
      return false;
    }
    long millis;
    try {
      millis = Long.parseLong(parts[1]);
    } catch (NumberFormatException e) {
      return false;
    }
    boolean fresh = Math.abs(System.currentTimeMillis() - millis) <= MAX_SKEW_MS;
    return equal(hmac("call|" + body), header.substring(cut + 1)) && fresh;
  }

  /** The callee's answer to a signed header: proves it holds the secret too. */
  public String proof(String header) {
    return hmac("proof|" + header);
  }

  public boolean verifyProof(String header, String proof) {
    return proof != null && equal(proof(header), proof);
  }

  static boolean equal(String expected, String given) {
    return MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII),
        given.getBytes(StandardCharsets.US_ASCII));
  }

  private String hmac(String message) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return HEX.formatHex(mac.doFinal(message.getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
    }
  }
}
