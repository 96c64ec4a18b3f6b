package io.maskkv.controller;

import io.grpc.BindableService;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Named;
import jakarta.inject.Singleton;

/**
 * Extra services on the controller's gRPC server: server reflection (grpc.reflection.v1), so that
 * {@code grpcurl -plaintext localhost:50051 list} works without the .proto files. The health service comes
 * from micronaut-grpc ({@code grpc.server.health.enabled}).
 */
@Factory
public class GrpcServices {
  @Singleton
  @Named("reflection")
  @Requires(property = "maskkv.reflection", notEquals = "false")
  BindableService reflection() {
    return ProtoReflectionServiceV1.newInstance();
  }
}
