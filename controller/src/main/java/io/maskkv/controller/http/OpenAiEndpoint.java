package io.maskkv.controller.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.grpc.Context;
import io.grpc.Status;
import io.maskkv.common.security.ApiTokens;
import io.maskkv.controller.SessionManager;
import io.maskkv.controller.WorkerRegistry;
import io.maskkv.proto.v1.GenerateEvent;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.sse.Event;
import java.util.List;
import java.util.TreeSet;
import java.util.UUID;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The OpenAI-compatible HTTP API: {@code GET /v1/models}, {@code POST /v1/completions} and
 * {@code POST /v1/chat/completions}, streaming as server-sent events ending in {@code data: [DONE]}. Each request
 * becomes the same {@code GenerateRequest} the gRPC API takes and runs through the same session path; errors come
 * back in OpenAI's JSON with the HTTP status matching the gRPC status ({@link ApiError}).
 */
@Controller("/v1")
public class OpenAiEndpoint {
  private final SessionManager sessions;
  private final WorkerRegistry registry;

  public OpenAiEndpoint(SessionManager sessions, WorkerRegistry registry) {
    this.sessions = sessions;
    this.registry = registry;
  }

  @Get(uri = "/models", produces = MediaType.APPLICATION_JSON)
  public HttpResponse<String> models() {
    ObjectNode root = ApiError.JSON.createObjectNode().put("object", "list");
    ArrayNode data = root.putArray("data");
    for (String m : new TreeSet<>(registry.knownModels())) {
      data.addObject().put("id", m).put("object", "model").put("created", 0).put("owned_by", "maskkv");
    }
    return HttpResponse.ok(root.toString()).contentType(MediaType.APPLICATION_JSON_TYPE);
  }

  @Post(uri = "/completions", consumes = MediaType.ALL, produces = {MediaType.APPLICATION_JSON,
      MediaType.TEXT_EVENT_STREAM})
  public Mono<MutableHttpResponse<?>> completions(HttpRequest<?> http, @Body String body) {
    return run(http, body, false);
  }

  @Post(uri = "/chat/completions", consumes = MediaType.ALL, produces = {MediaType.APPLICATION_JSON,
      MediaType.TEXT_EVENT_STREAM})
  public Mono<MutableHttpResponse<?>> chatCompletions(HttpRequest<?> http, @Body String body) {
    return run(http, body, true);
  }

  private Mono<MutableHttpResponse<?>> run(HttpRequest<?> http, String body, boolean chat) {
    CompletionRequest req;
    try {
      req = CompletionRequest.parse(body == null ? "" : body, chat);
    } catch (IllegalArgumentException e) {
      return Mono.just(ApiError.badRequest(e.getMessage()).response());
    }
    EventStream stream = new EventStream();
    String caller = http.getAttribute(ApiTokenFilter.CALLER, String.class).orElse(null);
    Context ctx = caller == null ? Context.current() : Context.current().withValue(ApiTokens.CALLER, caller);
    ctx.run(() -> sessions.start(req.request(), stream));
    Chunks chunks = new Chunks(req, "maskkv-" + UUID.randomUUID().toString().substring(0, 12),
        System.currentTimeMillis() / 1000);
    return Mono.fromFuture(stream.first()).flatMap(first -> {
      if (!first.isOk()) {
        return Mono.just(ApiError.of(first).response());
      }
      if (req.stream()) {
        return Mono.just(HttpResponse.ok(sse(stream.events(), chunks)).contentType(MediaType.TEXT_EVENT_STREAM_TYPE));
      }
      return whole(stream, chunks);
    });
  }

  /** A non-streaming answer: the events are gathered and the summary becomes one JSON body. */
  private static Mono<MutableHttpResponse<?>> whole(EventStream stream, Chunks chunks) {
    return stream.events().doOnNext(chunks::started).filter(GenerateEvent::hasSummary).next()
        .<MutableHttpResponse<?>>map(e -> HttpResponse.ok(chunks.whole(e.getSummary()).toString())
            .contentType(MediaType.APPLICATION_JSON_TYPE))
        .onErrorResume(t -> Mono.just(ApiError.of(Status.fromThrowable(t)).response()));
  }

  /** Text deltas as chunks, the summary as the last chunk with the finish reason and usage, then [DONE]. */
  private static Flux<Event<String>> sse(Flux<GenerateEvent> events, Chunks chunks) {
    return events.concatMap(e -> Flux.fromIterable(chunks.on(e)))
        .takeUntil(c -> c.equals(Chunks.DONE)) // a stop string ends the answer early; the session is cancelled
        .onErrorResume(t -> Flux.just(ApiError.of(Status.fromThrowable(t)).json().toString(), Chunks.DONE))
        .map(Event::of);
  }

  /** For tests and the playground: the SSE data lines a list of events turns into. */
  static List<String> chunksOf(List<GenerateEvent> events, CompletionRequest req) {
    Chunks c = new Chunks(req, "test", 0);
    return events.stream().flatMap(e -> c.on(e).stream()).toList();
  }
}
