package io.maskkv.controller.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.maskkv.controller.GenerationEndpoint;
import io.maskkv.controller.SessionManager;
import io.maskkv.controller.metrics.ServingMetrics;
import io.maskkv.controller.metrics.SessionMetrics;
import io.maskkv.proto.v1.ListModelsRequest;
import io.maskkv.proto.v1.ListModelsResponse;
import io.maskkv.proto.v1.ModelInfo;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Post;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import reactor.core.publisher.Mono;

/**
 * The OpenAI-compatible HTTP API: {@code GET /v1/models}, {@code POST /v1/completions},
 * {@code POST /v1/chat/completions}. Every request becomes a {@code GenerateRequest} and runs through
 * {@link SessionManager#start} exactly like a gRPC {@code Generate} call; all routes live under {@code /v1}, so
 * one HTTP filter can guard them.
 */
@Controller("/v1")
public class OpenAiController {
  private final SessionManager sessions;
  private final GenerationEndpoint endpoint;
  private final ServingMetrics metrics;

  public OpenAiController(SessionManager sessions, GenerationEndpoint endpoint, ServingMetrics metrics) {
    this.sessions = sessions;
    this.endpoint = endpoint;
    this.metrics = metrics;
  }

  /** The gRPC ListModels answer in OpenAI's list shape; the full ModelInfo rides along as {@code maskkv}. */
  @Get(uri = "/models", produces = MediaType.APPLICATION_JSON)
  @ExecuteOn(TaskExecutors.BLOCKING) // ListModels may load a model's tokenizer the first time
  public HttpResponse<String> models() {
    AtomicReference<ListModelsResponse> got = new AtomicReference<>();
    AtomicReference<Throwable> failed = new AtomicReference<>();
    endpoint.listModels(ListModelsRequest.getDefaultInstance(), new StreamObserver<>() {
      @Override
      public void onNext(ListModelsResponse value) {
        got.set(value);
      }

      @Override
      public void onError(Throwable t) {
        failed.set(t);
      }

      @Override
      public void onCompleted() {}
    });
    if (failed.get() != null) {
      return Reply.error(ApiError.of(Status.fromThrowable(failed.get())));
    }
    ObjectNode list = ChunkFormat.JSON.createObjectNode().put("object", "list");
    ArrayNode data = list.putArray("data");
    for (ModelInfo m : got.get().getModelsList()) {
      data.addObject().put("id", m.getName()).put("object", "model").put("created", 0).put("owned_by", "maskkv")
          .set("maskkv", ChunkFormat.proto(m));
    }
    return HttpResponse.ok(list.toString()).contentType(MediaType.APPLICATION_JSON_TYPE);
  }

  @Post(uri = "/completions", consumes = MediaType.ALL, produces = {MediaType.APPLICATION_JSON,
      MediaType.TEXT_EVENT_STREAM})
  public Mono<HttpResponse<?>> completions(HttpRequest<?> http, @Body String body) {
    return run(http, body, RequestMapper::completion);
  }

  @Post(uri = "/chat/completions", consumes = MediaType.ALL, produces = {MediaType.APPLICATION_JSON,
      MediaType.TEXT_EVENT_STREAM})
  public Mono<HttpResponse<?>> chatCompletions(HttpRequest<?> http, @Body String body) {
    return run(http, body, RequestMapper::chat);
  }

  private Mono<HttpResponse<?>> run(HttpRequest<?> http, String body, Function<ObjectNode, CompletionCall> mapper) {
    CompletionCall call;
    try {
      JsonNode json = ChunkFormat.JSON.readTree(body == null ? "" : body);
      if (json == null || !json.isObject()) {
        throw new ApiException(ApiError.badRequest("the body must be a JSON object", null));
      }
      call = mapper.apply((ObjectNode) json);
    } catch (JsonProcessingException e) {
      return Mono.just(Reply.error(ApiError.badRequest("the body is not JSON: " + e.getOriginalMessage(), null)));
    } catch (ApiException e) {
      return Mono.just(Reply.error(e.error()));
    }
    SessionMetrics tap = metrics.session("http");
    Reply reply = call.stream() ? new StreamingReply(call, tap) : new WholeReply(call, tap);
    // the token's name (ApiTokenFilter) goes where the gRPC path has it, so per-token limits cover HTTP too
    String caller = http.getAttribute(ApiTokenFilter.CALLER, String.class).orElse(null);
    io.grpc.Context ctx = caller == null ? io.grpc.Context.current()
        : io.grpc.Context.current().withValue(io.maskkv.common.security.ApiTokens.CALLER, caller);
    ctx.run(() -> sessions.start(call.request(), reply.stream));
    // a client that leaves before the reply (or the stream's headers) cancels the session too; Micronaut also
    // cancels this Mono once it has its one response, which must not end a stream that has just begun
    return Mono.fromFuture(reply.response).doOnCancel(() -> {
      if (!reply.response.isDone()) {
        reply.stream.cancel();
      }
    });
  }
}
