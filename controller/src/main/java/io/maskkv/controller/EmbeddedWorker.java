package io.maskkv.controller;

import io.grpc.ManagedChannel;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.maskkv.worker.engine.Devices;
import io.maskkv.worker.engine.Transformer;
import io.maskkv.worker.grpc.ShardWorker;
import io.maskkv.worker.grpc.WorkerServer;
import io.maskkv.worker.grpc.WorkerSettings;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Requires;
import jakarta.annotation.PreDestroy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The embedded mode ({@code maskkv.embedded.enabled=true}, the default of {@code ./maskkv serve}): a worker
 * holding every layer of one model runs inside the controller and is reached over gRPC's in-process transport,
 * so requests take exactly the path they take to remote workers, without the network.
 */
@Context
@Requires(property = "maskkv.embedded.enabled", value = "true")
public class EmbeddedWorker implements AutoCloseable {
  private final Transformer model;
  private final WorkerServer server;
  private final ManagedChannel channel;

  public EmbeddedWorker(ControllerConfig config, WorkerRegistry registry) {
    ControllerConfig.Embedded e = config.getEmbedded();
    Path dir = Path.of(e.getModel());
    if (!Files.isDirectory(dir)) {
      throw new IllegalArgumentException("embedded worker: model folder " + dir.toAbsolutePath()
          + " not found (set maskkv.embedded.model, or write one with ./maskkv make-model)");
    }
    this.model = Transformer.load(dir, Devices.parse(e.getDevice()));
    String name = "maskkv-embedded-" + System.identityHashCode(this);
    ShardWorker worker = new ShardWorker(model, new WorkerSettings("embedded", "", "", e.getKvBytes(), "in-process"),
        e.getMaxBatchRows(), e.isChunkedPrefill());
    this.server = WorkerServer.start(worker, InProcessServerBuilder.forName(name));
    this.channel = InProcessChannelBuilder.forName(name).build();
    registry.addEmbedded(worker.info(), channel);
  }

  @PreDestroy
  @Override
  public void close() {
    channel.shutdownNow();
    server.shutdown(Duration.ZERO);
    model.close();
  }
}
