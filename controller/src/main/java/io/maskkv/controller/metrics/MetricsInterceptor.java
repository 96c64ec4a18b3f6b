package io.maskkv.controller.metrics;

import io.grpc.ForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.maskkv.proto.v1.GenerateEvent;
import io.maskkv.proto.v1.GenerationServiceGrpc;
import jakarta.inject.Singleton;

/** Records the gRPC door's Generate calls: every event sent and the status each call closes with. */
@Singleton
public class MetricsInterceptor implements ServerInterceptor {
  private final ServingMetrics metrics;

  public MetricsInterceptor(ServingMetrics metrics) {
    this.metrics = metrics;
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
      ServerCallHandler<Q, R> next) {
    // by name: the served descriptor is a rebuilt copy (MalformedInput parses leniently), not the generated instance
    if (!call.getMethodDescriptor().getFullMethodName().equals(GenerationServiceGrpc.getGenerateMethod()
        .getFullMethodName())) {
      return next.startCall(call, headers);
    }
    SessionMetrics session = metrics.session("grpc");
    return next.startCall(new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
      @Override
      public void sendMessage(R message) {
        session.event((GenerateEvent) message);
        super.sendMessage(message);
      }

      @Override
      public void close(Status status, Metadata trailers) {
        session.end(status);
        super.close(status, trailers);
      }
    }, headers);
  }
}
