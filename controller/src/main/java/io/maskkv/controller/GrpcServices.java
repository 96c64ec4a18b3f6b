package io.maskkv.controller;

import io.grpc.BindableService;
import io.grpc.ServerServiceDefinition;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import io.maskkv.common.security.MalformedInput;
import io.maskkv.proto.v1.GenerationServiceGrpc;
import io.maskkv.proto.v1.WorkerRegistryGrpc;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Named;
import jakarta.inject.Singleton;

/**
 * The services on the controller's gRPC server, each behind its own gate: the public GenerationService behind
 * the API token (when tokens are configured), the WorkerRegistry behind the cluster credential (workers only,
 * never clients); both parse bad frames cheaply ({@link MalformedInput}). Also server reflection
 * (grpc.reflection.v1), so that {@code grpcurl -plaintext localhost:50051 list} works without the .proto files;
 * the health service comes from micronaut-grpc ({@code grpc.server.health.enabled}).
 */
@Factory
public class GrpcServices {
  @Singleton
  @Named("generation")
  ServerServiceDefinition generation(GenerationEndpoint endpoint, Security security) {
    ServerServiceDefinition s = GenerationServiceGrpc.bindService(endpoint);
    return security.apiTokens().map(t -> MalformedInput.guard(s, t.interceptor()))
        .orElseGet(() -> MalformedInput.guard(s));
  }

  @Singleton
  @Named("registry")
  @Requires(property = "maskkv.registration.enabled", notEquals = "false")
  ServerServiceDefinition registry(RegistryEndpoint endpoint, Security security) {
    return security.cluster().guard(WorkerRegistryGrpc.bindService(endpoint));
  }

  @Singleton
  @Named("reflection")
  @Requires(property = "maskkv.reflection", notEquals = "false")
  BindableService reflection() {
    return ProtoReflectionServiceV1.newInstance();
  }
}
