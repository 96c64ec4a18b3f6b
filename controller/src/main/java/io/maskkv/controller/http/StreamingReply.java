package io.maskkv.controller.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.maskkv.controller.metrics.SessionMetrics;
import io.maskkv.proto.v1.GenerateEvent;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.sse.Event;
import java.time.Duration;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;

/**
 * A {@code stream: true} call: server-sent events {@code data: {chunk}}, ending in {@code data: [DONE]}. The
 * headers wait for the session's first event, so that a request refused before it starts (bad options, unknown
 * model, no worker, no KV room) gets its HTTP status; after that an error travels as {@code data: {"error":..}}.
 * The client going away cancels the event stream, which cancels the session and frees its KV.
 */
final class StreamingReply extends Reply {
  // events come from the session thread, the terminal ones possibly from another: retry a contended emit
  private static final Sinks.EmitFailureHandler RETRY = Sinks.EmitFailureHandler.busyLooping(Duration.ofSeconds(1));
  private final Sinks.Many<Event<String>> sink = Sinks.many().unicast().onBackpressureBuffer();

  StreamingReply(CompletionCall call, SessionMetrics metrics) {
    super(call, metrics);
  }

  Flux<Event<String>> events() {
    return sink.asFlux().doOnCancel(stream::cancel);
  }

  private void open() {
    if (!response.isDone()) {
      response.complete(HttpResponse.ok(events()).contentType(MediaType.TEXT_EVENT_STREAM_TYPE));
    }
  }

  private void send(ObjectNode chunk) {
    sink.emitNext(Event.of(chunk.toString()), RETRY);
  }

  @Override
  void started(GenerateEvent e) {
    open();
    ObjectNode c = format.chunk(call.chat() ? "" : null, call.chat(), null);
    if (call.events()) {
      ChunkFormat.withEvent(c, e);
    }
    if (call.chat() || call.events()) {
      send(c);
    }
  }

  @Override
  void text(String delta) {
    send(format.chunk(delta, false, null));
  }

  @Override
  void event(GenerateEvent e) {
    if (e.hasQueued()) {
      open(); // a queued request is accepted: it streams its place in the queue, then its answer
    }
    if (call.events()) {
      send(ChunkFormat.withEvent(format.chunk(null, false, null), e));
    }
  }

  @Override
  void finish(String reason, int completionTokens, GenerateEvent summary) {
    ObjectNode last = ChunkFormat.usage(format.chunk(null, false, reason), promptTokens, completionTokens);
    if (summary != null) {
      ChunkFormat.withEvent(last, summary);
    }
    open();
    send(last);
    done();
  }

  @Override
  void failed(ApiError error) {
    if (!response.isDone()) {
      response.complete(error(error));
      sink.emitComplete(RETRY);
      return;
    }
    send(error.json());
    done();
  }

  private void done() {
    sink.emitNext(Event.of("[DONE]"), RETRY);
    sink.emitComplete(RETRY);
  }
}
