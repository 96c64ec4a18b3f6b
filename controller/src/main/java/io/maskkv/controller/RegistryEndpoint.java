package io.maskkv.controller;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.maskkv.proto.v1.HeartbeatRequest;
import io.maskkv.proto.v1.HeartbeatResponse;
import io.maskkv.proto.v1.RegisterRequest;
import io.maskkv.proto.v1.RegisterResponse;
import io.maskkv.proto.v1.WorkerRegistryGrpc;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Singleton;

/**
 * {@code maskkv.v1.WorkerRegistry}: workers that join by themselves ({@code maskkv.registration.enabled});
 * {@link GrpcServices} binds it behind the cluster credential check.
 */
@Singleton
@Requires(property = "maskkv.registration.enabled", notEquals = "false")
public class RegistryEndpoint implements WorkerRegistryGrpc.AsyncService {
  private final WorkerRegistry registry;
  private final ControllerConfig config;

  public RegistryEndpoint(WorkerRegistry registry, ControllerConfig config) {
    this.registry = registry;
    this.config = config;
  }

  @Override
  public void register(RegisterRequest request, StreamObserver<RegisterResponse> out) {
    try {
      registry.register(request.getInfo());
    } catch (IllegalArgumentException e) {
      out.onError(Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException());
      return;
    } catch (io.grpc.StatusRuntimeException e) {
      out.onError(e);
      return;
    }
    out.onNext(RegisterResponse.newBuilder()
        .setHeartbeatIntervalMs(config.getRegistration().getHeartbeatInterval().toMillis()).build());
    out.onCompleted();
  }

  @Override
  public void heartbeat(HeartbeatRequest request, StreamObserver<HeartbeatResponse> out) {
    boolean known = registry.heartbeat(request.getWorkerId(), request.getFreeBytes(), request.getSessions(),
        request.getServing());
    out.onNext(HeartbeatResponse.newBuilder().setKnown(known).build());
    out.onCompleted();
  }
}
