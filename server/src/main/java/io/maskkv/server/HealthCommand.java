package io.maskkv.server;

import io.grpc.ManagedChannel;
import io.maskkv.common.security.PublicChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "health", mixinStandardHelpOptions = true,
    description = "Ask a controller or worker's grpc.health.v1.Health service; exit 0 when SERVING (container "
        + "health checks).")
public final class HealthCommand implements Callable<Integer> {
  @Option(names = "--host", defaultValue = "localhost", description = "host to ask (default: ${DEFAULT-VALUE})")
  String host;

  @Option(names = "--port", defaultValue = "50051", description = "gRPC port to ask (default: ${DEFAULT-VALUE})")
  int port;

  @Option(names = "--tls", description = "connect over TLS (the JDK's trust store, or --tls-ca); the API token comes "
      + "from MASKKV_API_TOKEN")
  boolean tls;

  @Option(names = "--tls-ca", description = "PEM CA that signed the server's certificate (implies --tls)")
  java.io.File tlsCa;

  @Option(names = "--service", defaultValue = "", description = "service name; empty = the server as a whole")
  String service;

  @Override
  public Integer call() {
    ManagedChannel channel = PublicChannel.open(host, port, tls, tlsCa);
    try {
      HealthCheckResponse r = HealthGrpc.newBlockingStub(channel).withDeadlineAfter(3, TimeUnit.SECONDS)
          .check(HealthCheckRequest.newBuilder().setService(service).build());
      System.out.println(r.getStatus());
      return r.getStatus() == HealthCheckResponse.ServingStatus.SERVING ? 0 : 1;
    } catch (StatusRuntimeException e) {
      System.out.println(e.getStatus().getCode());
      return 1;
    } finally {
      channel.shutdownNow();
    }
  }
}
