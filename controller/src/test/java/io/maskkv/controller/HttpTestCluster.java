package io.maskkv.controller;

import io.maskkv.common.model.ModelFamily;
import io.maskkv.proto.v1.GenerateRequest;
import io.maskkv.worker.grpc.WorkerServer;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** A {@link TestCluster} with one whole-model worker and the HTTP API on, for tests outside this package. */
public final class HttpTestCluster implements AutoCloseable {
  private final TestCluster cluster = new TestCluster();
  private final Path model;
  private final WorkerServer worker;
  private final String token;

  private HttpTestCluster(ModelFamily family, Map<String, Object> extra) {
    model = ServingModels.model(family);
    worker = cluster.worker(model, 0, 4);
    cluster.controller(extra);
    token = (String) extra.get("maskkv.auth.api-token");
    if (token != null) {
      cluster.token(token);
    }
  }

  public static HttpTestCluster start(ModelFamily family, Map<String, Object> extra) {
    return new HttpTestCluster(family, new HashMap<>(extra));
  }

  public int httpPort() {
    return cluster.controller.httpPort();
  }

  public String modelName() {
    return model.getFileName().toString();
  }

  public WorkerServer worker() {
    return worker;
  }

  /** The answer text of a whole gRPC generation. */
  public String grpcText(GenerateRequest r) {
    return TestCluster.summary(cluster.generate(r)).getSummary().getText();
  }

  @Override
  public void close() {
    cluster.close();
  }
}
