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
