package io.maskkv.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.Device;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.maskkv.common.security.BearerToken;
import io.maskkv.common.security.ClusterAccess;
import io.maskkv.common.security.ClusterSecret;
import io.maskkv.common.security.TlsFiles;
import io.maskkv.controller.ControllerServer;
import io.maskkv.proto.v1.GenerateEvent;
import io.maskkv.proto.v1.GenerateRequest;
import io.maskkv.proto.v1.GenerationServiceGrpc;
import io.maskkv.proto.v1.InfoRequest;
import io.maskkv.proto.v1.WorkerServiceGrpc;
import io.maskkv.worker.engine.Transformer;
import io.maskkv.worker.grpc.ShardWorker;
import io.maskkv.worker.grpc.WorkerServer;
import io.maskkv.worker.grpc.WorkerSettings;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS end to end with the development CA ({@code ./maskkv certs}): the public API over TLS with a token, mutual TLS
 * plus the cluster secret between controller and worker; plaintext clients and callers without a client
 * certificate get nowhere.
 */
class TlsTest {
  static final String SECRET = "tls-test-cluster-secret-0123456789";
  static final String TOKEN = "tls-test-api-token-0123456789";

  @Test
  void theApiAndTheClusterLinksRunOverTls(@TempDir Path dir) throws Exception {
    List<DevCertificates.Pair> pairs = DevCertificates.write(dir, List.of("controller", "worker"), List.of());
    DevCertificates.Pair controllerPair = pairs.get(0);
    DevCertificates.Pair workerPair = pairs.get(1);
    Path ca = dir.resolve("ca.pem");
    ClusterAccess workerAccess = new ClusterAccess(java.util.Optional.of(new ClusterSecret(SECRET)),
        java.util.Optional.of(new TlsFiles(workerPair.cert().toFile(), workerPair.key().toFile(), ca.toFile())));
    try (Transformer model = Transformer.load(Path.of("../models/maskkv-tiny"), Device.cpu())) {
      WorkerServer worker = WorkerServer.start(new ShardWorker(model, new WorkerSettings("", "", "", 1L << 30, "")),
          "127.0.0.1", 0, workerAccess);
      Map<String, Object> p = new HashMap<>();
      p.put("grpc.server.port", 0);
      p.put("grpc.server.host", "127.0.0.1");
      p.put("grpc.server.ssl.cert-chain", "file:" + controllerPair.cert());
      p.put("grpc.server.ssl.private-key", "file:" + controllerPair.key());
      p.put("maskkv.workers", List.of("localhost:" + worker.port()));
      p.put("maskkv.auth.api-token", TOKEN);
      p.put("maskkv.auth.cluster-secret", SECRET);
      p.put("maskkv.auth.cluster-tls-cert", controllerPair.cert().toString());
      p.put("maskkv.auth.cluster-tls-key", controllerPair.key().toString());
      p.put("maskkv.auth.cluster-tls-ca", ca.toString());
      p.put("maskkv.http-port", 0);
      p.put("maskkv.http-host", "127.0.0.1");
      p.putAll(ServeCommand.httpsProperties(controllerPair.cert(), controllerPair.key(), 0));
      try (ControllerServer controller = ControllerServer.start(p)) {
        ManagedChannel tls = Grpc.newChannelBuilderForAddress("localhost", controller.port(),
            TlsChannelCredentials.newBuilder().trustManager(ca.toFile()).build()).build();
        ManagedChannel plain = Grpc.newChannelBuilderForAddress("127.0.0.1", controller.port(),
            InsecureChannelCredentials.create()).build();
        ManagedChannel noClientCert = Grpc.newChannelBuilderForAddress("localhost", worker.port(),
            TlsChannelCredentials.newBuilder().trustManager(ca.toFile()).build()).build();
        try {
          GenerateRequest r = GenerateRequest.newBuilder().setPrompt("the key is red . what is the key ?")
              .setGenLength(8).setBlockLength(8).build();
          List<GenerateEvent> events = new ArrayList<>();
          GenerationServiceGrpc.newBlockingStub(tls).withCallCredentials(new BearerToken(TOKEN))
              .withDeadlineAfter(60, TimeUnit.SECONDS).generate(r).forEachRemaining(events::add);
          assertEquals(8, events.get(events.size() - 1).getSummary().getResponseIdsCount());
          StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> GenerationServiceGrpc
              .newBlockingStub(plain).withCallCredentials(new BearerToken(TOKEN))
              .withDeadlineAfter(10, TimeUnit.SECONDS).generate(r).forEachRemaining(x -> {}));
          assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode(), "plaintext to a TLS port");
          e = assertThrows(StatusRuntimeException.class, () -> WorkerServiceGrpc.newBlockingStub(noClientCert)
              .withDeadlineAfter(10, TimeUnit.SECONDS).info(InfoRequest.getDefaultInstance()));
          assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode(), "a worker caller without a certificate");
          // the HTTP API on the same pair: HTTPS with the token works, plaintext does not
          int httpPort = controller.httpPort().orElseThrow();
          java.security.KeyStore trust = java.security.KeyStore.getInstance("PKCS12");
          trust.load(null, null);
          try (var in = java.nio.file.Files.newInputStream(ca)) {
            trust.setCertificateEntry("ca", java.security.cert.CertificateFactory.getInstance("X.509")
                .generateCertificate(in));
          }
          javax.net.ssl.TrustManagerFactory tmf = javax.net.ssl.TrustManagerFactory.getInstance(
              javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
          tmf.init(trust);
          javax.net.ssl.SSLContext ssl = javax.net.ssl.SSLContext.getInstance("TLS");
          ssl.init(null, tmf.getTrustManagers(), null);
          java.net.http.HttpClient https = java.net.http.HttpClient.newBuilder().sslContext(ssl).build();
          java.net.http.HttpResponse<String> models = https.send(java.net.http.HttpRequest.newBuilder(
              java.net.URI.create("https://localhost:" + httpPort + "/v1/models"))
              .header("Authorization", "Bearer " + TOKEN).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
          assertEquals(200, models.statusCode(), models.body());
          assertThrows(java.io.IOException.class, () -> java.net.http.HttpClient.newHttpClient().send(
              java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://localhost:" + httpPort + "/v1/models"))
                  .build(), java.net.http.HttpResponse.BodyHandlers.ofString()), "plaintext HTTP to the TLS port");
        } finally {
          tls.shutdownNow();
          plain.shutdownNow();
          noClientCert.shutdownNow();
        }
      } finally {
        worker.kill();
      }
    }
  }
}
