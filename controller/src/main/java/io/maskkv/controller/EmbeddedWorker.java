package io.maskkv.controller;

import io.grpc.ManagedChannel;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.maskkv.worker.engine.Devices;
import io.maskkv.worker.engine.LoadProgress;
import io.maskkv.worker.engine.ModelLoader;
import io.maskkv.worker.engine.Transformer;
import io.maskkv.worker.engine.WeightPrecision;
import io.maskkv.worker.grpc.ShardWorker;
import io.maskkv.worker.grpc.WorkerServer;
import io.maskkv.worker.grpc.WorkerSettings;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Requires;
import jakarta.annotation.PreDestroy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The embedded mode ({@code maskkv.embedded.enabled=true}, the default of {@code ./maskkv serve}): a worker
 * holding every layer of one model runs inside the controller and is reached over gRPC's in-process transport,
 * so requests take exactly the path they take to remote workers, without the network.
 */
@Context
@Requires(property = "maskkv.embedded.enabled", value = "true")
public class EmbeddedWorker implements AutoCloseable {
  private final List<Transformer> models = new ArrayList<>();
  private final List<WorkerServer> servers = new ArrayList<>();
  private final List<ManagedChannel> channels = new ArrayList<>();

  public EmbeddedWorker(ControllerConfig config, WorkerRegistry registry) {
    ControllerConfig.Embedded e = config.getEmbedded();
    Path dir = Path.of(e.getModel());
    if (!Files.isDirectory(dir)) {
      throw new IllegalArgumentException("embedded worker: model folder " + dir.toAbsolutePath()
          + " not found (set maskkv.embedded.model, or write one with ./maskkv make-model)");
    }
    try {
      for (int i = 1; i <= e.getWorkers(); i++) {
        // the same precision rule and memory check as ./maskkv worker: refused in one line if it does not fit
        Transformer model = ModelLoader.load(dir, Devices.parse(e.getDevice()), 0,
            io.maskkv.common.model.ModelConfigJson.read(dir).layers(), WeightPrecision.parse(e.getDtype()),
            e.getKvBytes(), LoadProgress.NONE);
        models.add(model);
        String id = i == 1 ? "embedded" : "embedded-" + i;
        String name = "maskkv-" + id + "-" + System.identityHashCode(this);
        ShardWorker worker = new ShardWorker(model, new WorkerSettings(id, "", "", e.getKvBytes(), "in-process"),
            e.getMaxBatchRows(), e.isChunkedPrefill());
        servers.add(WorkerServer.start(worker, InProcessServerBuilder.forName(name)));
        ManagedChannel channel = InProcessChannelBuilder.forName(name).build();
        channels.add(channel);
        registry.addEmbedded(worker.info(), channel);
      }
    } catch (RuntimeException | Error failed) {
      close(); // a replica that does not load must not leave the ones before it holding their weights
      throw failed;
    }
  }

  @PreDestroy
  @Override
  public void close() {
    channels.forEach(ManagedChannel::shutdownNow);
    servers.forEach(s -> s.shutdown(Duration.ZERO));
    models.forEach(Transformer::close);
  }
}
