package io.maskkv.controller.http;

import ai.djl.Device;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.maskkv.controller.ControllerServer;
import io.maskkv.worker.engine.Transformer;
import io.maskkv.worker.grpc.ShardWorker;
import io.maskkv.worker.grpc.WorkerServer;
import io.maskkv.worker.grpc.WorkerSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The bundled model served for real: one worker holding all its layers and a controller with both doors (gRPC
 * and HTTP), on 127.0.0.1 ephemeral ports. The worker is reached over loopback, not embedded, so that a test can
 * read the KV bytes it holds.
 */
final class HttpCluster implements AutoCloseable {
  final Transformer model;
  final WorkerServer worker;
  final ControllerServer controller;
  final ManagedChannel channel;

  HttpCluster() {
    this(Map.of());
  }

  /** With extra controller properties (auth, limits). */
  HttpCluster(Map<String, Object> extra) {
    model = Transformer.load(bundled(), Device.cpu());
    worker = WorkerServer.start(new ShardWorker(model, new WorkerSettings("", "", "", WorkerSettings.DEFAULT_CAPACITY,
        "")), "127.0.0.1", 0);
    Map<String, Object> p = new HashMap<>();
    p.put("grpc.server.port", 0);
    p.put("grpc.server.host", "127.0.0.1");
    p.put("grpc.server.await-termination", "2s");
    p.put("maskkv.http-port", 0);
    p.put("maskkv.http-host", "127.0.0.1");
    p.put("maskkv.workers", List.of("127.0.0.1:" + worker.port()));
    p.put("maskkv.poll-interval", "500ms");
    p.put("maskkv.drain-timeout", "2s");
    p.putAll(extra);
    controller = ControllerServer.start(p);
    channel = Grpc.newChannelBuilderForAddress("127.0.0.1", controller.port(), InsecureChannelCredentials.create())
        .build();
  }

  String base() {
    return "http://127.0.0.1:" + controller.httpPort().orElseThrow();
  }

  static Path bundled() {
    String fixtures = System.getProperty("maskkv.fixtures");
    Path root = fixtures != null ? Path.of(fixtures).getParent() : Path.of("..");
    return root.resolve("models").resolve("maskkv-tiny");
  }

  /** The README's needle prompt (make-tasks --task needle --length 512 --seed 7): context, question; passkey v76. */
  static String needle() {
    try (var in = HttpCluster.class.getResourceAsStream("/needle-512-seed7.jsonl")) {
      var r = ChunkFormat.JSON.readTree(in);
      return r.get("context").asText() + " " + r.get("input").asText();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static final String PASSKEY = "v76";

  @Override
  public void close() {
    channel.shutdownNow();
    controller.close();
    worker.kill();
    model.close();
  }

  static void writeTo(Path file, byte[] bytes) {
    try {
      Files.createDirectories(file.getParent());
      Files.write(file, bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
