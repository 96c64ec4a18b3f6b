package io.maskkv.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.maskkv.proto.v1.ClusterStatusRequest;
import io.maskkv.proto.v1.GenerateEvent;
import io.maskkv.proto.v1.GenerateRequest;
import io.maskkv.proto.v1.GenerationServiceGrpc;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.ComposeContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;

/**
 * Builds the images and starts docker-compose.yml (controller, group a with static shards, group b with
 * self-registering shards), then generates through the controller. Skipped where no Docker engine exists
 * (our build machines); run it on a machine with Docker: {@code mvn -pl controller test -Dtest=ComposeStackTest}.
 */
@Testcontainers(disabledWithoutDocker = true)
class ComposeStackTest {
  static final String SECRET = "compose-test-cluster-secret-0123";
  static final String TOKEN = "compose-test-api-token-0123";

  @Container
  static final ComposeContainer STACK = new ComposeContainer(DeployFilesTest.ROOT.resolve("docker-compose.yml")
      .toFile())
      .withBuild(true)
      .withEnv(Map.of("MASKKV_CLUSTER_SECRET", SECRET, "MASKKV_API_TOKEN", TOKEN))
      .withExposedService("controller", 50051, Wait.forHealthcheck().withStartupTimeout(Duration.ofMinutes(15)))
      .withStartupTimeout(Duration.ofMinutes(20));

  @Test
  void bothGroupsJoinAndTheStackGeneratesAnAnswer() throws Exception {
    String host = STACK.getServiceHost("controller", 50051);
    int port = STACK.getServicePort("controller", 50051);
    ManagedChannel channel = Grpc.newChannelBuilderForAddress(host, port, InsecureChannelCredentials.create())
        .build();
    try {
      GenerationServiceGrpc.GenerationServiceBlockingStub stub = GenerationServiceGrpc.newBlockingStub(channel)
          .withCallCredentials(new io.maskkv.common.security.BearerToken(TOKEN));
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
      while (stub.clusterStatus(ClusterStatusRequest.getDefaultInstance()).getGroupsCount() < 2
          && System.nanoTime() < deadline) {
        Thread.sleep(1000);
      }
      assertEquals(2, stub.clusterStatus(ClusterStatusRequest.getDefaultInstance()).getGroupsCount());
      List<GenerateEvent> events = new ArrayList<>();
      stub.withDeadlineAfter(5, TimeUnit.MINUTES).generate(GenerateRequest.newBuilder().setPrompt("the key is red")
          .setGenLength(16).setBlockLength(8).build()).forEachRemaining(events::add);
      GenerateEvent last = events.get(events.size() - 1);
      assertFalse(last.getSummary().getResponseIdsList().isEmpty());
      assertEquals(16, last.getSummary().getResponseIdsCount());
    } finally {
      channel.shutdownNow();
    }
  }

}
