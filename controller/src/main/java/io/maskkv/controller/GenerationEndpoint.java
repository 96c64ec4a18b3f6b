package io.maskkv.controller;

import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.maskkv.common.budget.EvictionMethods;
import io.maskkv.proto.v1.ClusterStatusRequest;
import io.maskkv.proto.v1.ClusterStatusResponse;
import io.maskkv.proto.v1.GenerateEvent;
import io.maskkv.proto.v1.GenerateRequest;
import io.maskkv.proto.v1.GenerationServiceGrpc;
import io.maskkv.proto.v1.GroupStatus;
import io.maskkv.proto.v1.ListModelsRequest;
import io.maskkv.proto.v1.ListModelsResponse;
import io.maskkv.proto.v1.ModelInfo;
import io.maskkv.proto.v1.WorkerInfo;
import io.maskkv.proto.v1.WorkerStatus;
import jakarta.inject.Singleton;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;

/**
 * The public {@code maskkv.v1.GenerationService}; {@link GrpcServices} binds it behind the API token check.
 */
@Singleton
public class GenerationEndpoint implements GenerationServiceGrpc.AsyncService {
  private final SessionManager sessions;
  private final WorkerRegistry registry;
  private final Admission admission;
  private final ModelCatalog catalog;
  private final ControllerConfig config;

  public GenerationEndpoint(SessionManager sessions, WorkerRegistry registry, Admission admission,
      ModelCatalog catalog, ControllerConfig config) {
    this.sessions = sessions;
    this.registry = registry;
    this.admission = admission;
    this.catalog = catalog;
    this.config = config;
  }

  @Override
  public void generate(GenerateRequest request, StreamObserver<GenerateEvent> out) {
    sessions.start(request, (ServerCallStreamObserver<GenerateEvent>) out);
  }

  @Override
  public void listModels(ListModelsRequest request, StreamObserver<ListModelsResponse> out) {
    ListModelsResponse.Builder b = ListModelsResponse.newBuilder();
    List<String> methods = new java.util.ArrayList<>(List.of("none", "prefix", "dual"));
    methods.addAll(EvictionMethods.names());
    for (String name : new TreeSet<>(registry.knownModels())) {
      List<WorkerNode> healthy = registry.healthy(name);
      WorkerInfo info = healthy.isEmpty() ? null : healthy.get(0).info();
      ModelInfo.Builder m = ModelInfo.newBuilder().setName(name).addAllCacheMethods(methods);
      ServedModel served = catalog.loaded().stream().filter(s -> s.name().equals(name)).findFirst().orElse(null);
      if (served == null && !healthy.isEmpty()) {
        try {
          served = catalog.get(healthy.get(0));
        } catch (RuntimeException e) {
          served = null; // listed without details
        }
      }
      if (served != null) {
        var c = served.config();
        m.setFamily(c.family().name().toLowerCase(Locale.ROOT)).setLayers(c.layers()).setHiddenSize(c.hiddenSize())
            .setHeads(c.heads()).setKvHeads(c.kvHeads()).setVocabSize(c.vocabSize())
            .setMaxPositions(c.maxPositions()).setHasProfile(served.hasProfile())
            .setGroups(admission.groups(name, c.layers()).size());
      } else if (info != null) {
        m.setFamily(info.getFamily()).setLayers(info.getLayers()).setHasProfile(info.getHasProfile());
      }
      b.addModels(m);
    }
    out.onNext(b.build());
    out.onCompleted();
  }

  @Override
  public void clusterStatus(ClusterStatusRequest request, StreamObserver<ClusterStatusResponse> out) {
    ClusterStatusResponse.Builder b = ClusterStatusResponse.newBuilder().setActiveSessions(sessions.active())
        .setDraining(sessions.draining());
    long now = System.nanoTime();
    for (WorkerNode w : registry.all()) {
      WorkerStatus.Builder s = WorkerStatus.newBuilder().setId(w.id()).setAddress(w.address())
          .setHealthy(w.healthy()).setSource(w.source().name().toLowerCase(Locale.ROOT))
          .setReservedBytes(w.reserved()).setCapacityBytes(w.capacity(config.getWorkerKvBytes()));
      WorkerInfo i = w.info();
      if (i != null) {
        s.setModel(i.getModel()).setFromLayer(i.getFromLayer()).setToLayer(i.getToLayer())
            .setReportedFreeBytes(i.getFreeBytes()).setSessions(i.getSessions()).setGroup(i.getGroup())
            .setLastSeenMsAgo((now - w.lastSeenNanos()) / 1_000_000);
      }
      b.addWorkers(s);
    }
    for (String model : new TreeSet<>(registry.knownModels())) {
      List<WorkerNode> healthy = registry.healthy(model);
      if (healthy.isEmpty()) {
        continue;
      }
      for (WorkerGroup g : admission.groups(model, healthy.get(0).info().getLayers())) {
        b.addGroups(GroupStatus.newBuilder().setModel(model).addAllWorkers(g.ids())
            .setFreeBytes(g.shards().stream().mapToLong(admission::free).min().orElse(0)));
      }
    }
    out.onNext(b.build());
    out.onCompleted();
  }
}
