package io.maskkv.controller;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.maskkv.common.model.ModelFamily;
import io.maskkv.proto.v1.CachePolicy;
import io.maskkv.proto.v1.GenerateRequest;
import io.maskkv.proto.v1.SamplerOptions;
import io.maskkv.worker.TestModels;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Bad requests get the right status and a message naming the problem; the server keeps serving after each. */
class BadRequestTest {
  /** Room for a MaskKV session at budget 8, not for a prefix cache of a long prompt. */
  private static final long CAPACITY = 100_000;
  private static TestCluster cluster;
  private static Path model;

  @BeforeAll
  static void start() {
    model = ServingModels.model(ModelFamily.LLADA);
    cluster = new TestCluster();
    cluster.worker(model, 0, 4, CAPACITY, "");
    cluster.controller(Map.of());
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  private static GenerateRequest good(UnaryOperator<GenerateRequest.Builder> change) {
    GenerateRequest.Builder b = GenerateRequest.newBuilder().setGenLength(8).setSteps(8).setBlockLength(8)
        .setCache(CachePolicy.newBuilder().setMethod("maskkv").setBudget(8));
    for (int t : TestModels.prompt(20, 1)) {
      b.addPromptIds(t);
    }
    return change.apply(b).build();
  }

  private static void assertStatus(Status.Code code, String mentions, GenerateRequest r) {
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> cluster.generate(r));
    assertEquals(code, e.getStatus().getCode(), e.getStatus().toString());
    assertTrue(e.getStatus().getDescription().contains(mentions),
        "'" + e.getStatus().getDescription() + "' should mention '" + mentions + "'");
    // and the server still serves a good request
    int[] tokens = ServingEquivalenceTest.served(cluster.generate(good(b -> b)));
    assertEquals(8, tokens.length);
  }

  @Test
  void emptyPromptIsInvalidArgument() {
    assertStatus(Status.Code.INVALID_ARGUMENT, "prompt is empty", good(GenerateRequest.Builder::clearPromptIds));
    assertStatus(Status.Code.INVALID_ARGUMENT, "prompt is empty",
        good(b -> b.clearPromptIds().setPrompt("")));
  }

  @Test
  void genLengthZeroOrHugeIsInvalidArgument() {
    assertStatus(Status.Code.INVALID_ARGUMENT, "gen length", good(b -> b.setGenLength(0)));
    assertStatus(Status.Code.INVALID_ARGUMENT, "gen length",
        good(b -> b.setGenLength(1 << 20).setSteps(1 << 20).setBlockLength(1 << 20)));
    assertStatus(Status.Code.INVALID_ARGUMENT, "steps", good(b -> b.setSteps(3).setBlockLength(4)));
  }

  @Test
  void negativeBudgetIsInvalidArgument() {
    assertStatus(Status.Code.INVALID_ARGUMENT, "budget",
        good(b -> b.setCache(CachePolicy.newBuilder().setMethod("maskkv").setBudget(-1))));
  }

  @Test
  void aReVotingMethodUnderElasticCacheIsInvalidArgument() {
    assertStatus(Status.Code.INVALID_ARGUMENT, "does not combine with refresh 'elastic'",
        good(b -> b.setCache(CachePolicy.newBuilder().setMethod("maskkv-revote").setBudget(8).setRefresh("elastic"))));
  }

  @Test
  void unknownMethodModelOrSamplerIsInvalidArgument() {
    assertStatus(Status.Code.INVALID_ARGUMENT, "unknown cache method 'zip'",
        good(b -> b.setCache(CachePolicy.newBuilder().setMethod("zip"))));
    assertStatus(Status.Code.INVALID_ARGUMENT, "unknown model 'nope'", good(b -> b.setModel("nope")));
    assertStatus(Status.Code.INVALID_ARGUMENT, "remasking",
        good(b -> b.setSampler(SamplerOptions.newBuilder().setRemasking("greedy"))));
    assertStatus(Status.Code.INVALID_ARGUMENT, "refresh",
        good(b -> b.setCache(CachePolicy.newBuilder().setMethod("maskkv").setRefresh("sometimes"))));
    assertStatus(Status.Code.INVALID_ARGUMENT, "eps must be in (0, 1)",
        good(b -> b.setSampler(SamplerOptions.newBuilder().setEps(1.5))));
    assertStatus(Status.Code.INVALID_ARGUMENT, "factor must be >= 0",
        good(b -> b.setSampler(SamplerOptions.newBuilder().setFactor(-1))));
    assertStatus(Status.Code.INVALID_ARGUMENT, "alg_temp must be >= 0",
        good(b -> b.setSampler(SamplerOptions.newBuilder().setAlgTemp(Double.NaN))));
  }

  @Test
  void promptLongerThanTheModelsPositionsIsInvalidArgument() {
    assertStatus(Status.Code.INVALID_ARGUMENT, "exceeds the " + ServingModels.MAX_POSITIONS + " positions",
        good(b -> b.clearPromptIds().addAllPromptIds(
            java.util.Arrays.stream(TestModels.prompt(ServingModels.MAX_POSITIONS, 2)).boxed().toList())));
    assertStatus(Status.Code.INVALID_ARGUMENT, "outside the vocabulary", good(b -> b.addPromptIds(100000)));
  }

  @Test
  void aSessionThatCanNeverFitIsAFailedPreconditionNamingTheLimit() {
    // a prefix cache of 200 + 48 positions in 4 layers needs about 500 kB; the worker has 100 kB: waiting or
    // retrying cannot help, so the status is not the retryable RESOURCE_EXHAUSTED
    assertStatus(Status.Code.FAILED_PRECONDITION, "largest capacity 100000 bytes", good(b -> b.clearPromptIds()
        .addAllPromptIds(java.util.Arrays.stream(TestModels.prompt(200, 3)).boxed().toList())
        .setGenLength(48).setSteps(48).setBlockLength(8).setCache(CachePolicy.newBuilder().setMethod("prefix"))));
  }

  @Test
  void aGoodRequestNamingTheModelMatchesTheInProcessEngine() {
    GenerateRequest r = good(b -> b.setModel(model.getFileName().toString()));
    int[] prompt = r.getPromptIdsList().stream().mapToInt(Integer::intValue).toArray();
    org.junit.jupiter.api.Assertions.assertNotNull(prompt);
    assertArrayEquals(ServingEquivalenceTest.served(cluster.generate(r)),
        ServingEquivalenceTest.served(cluster.generate(good(b -> b))));
  }
}
