package io.maskkv.controller.http;

import io.grpc.Status;
import io.maskkv.controller.metrics.SessionMetrics;
import io.maskkv.proto.v1.GenerateEvent;
import io.maskkv.proto.v1.Summary;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import java.util.concurrent.CompletableFuture;

/**
 * Turns one session's gRPC events into an OpenAI reply. The subclasses decide the shape (a stream of chunks or
 * one JSON object); this keeps what both need: the served model, token counts, stop strings, and the one end
 * (finish or error) a reply gets. Events arrive on the session's thread; a cancel may come from Netty's.
 */
abstract class Reply {
  final CompletionCall call;
  final ChunkFormat format;
  final StopText stop;
  final SessionStream stream;
  /** The HTTP response: a stream's headers as soon as the session is admitted or queued, else the whole reply. */
  final CompletableFuture<HttpResponse<?>> response = new CompletableFuture<>();
  int promptTokens;
  int prefixTokens;
  private boolean done;

  Reply(CompletionCall call, SessionMetrics metrics) {
    this.call = call;
    this.format = new ChunkFormat(call.chat(), call.request().getModel());
    this.stop = new StopText(call.stop());
    this.stream = new SessionStream(e -> {
      metrics.event(e);
      onEvent(e);
    }, s -> {
      metrics.end(s);
      onEnd(s);
    }, () -> metrics.end(Status.CANCELLED));
  }

  private synchronized void onEvent(GenerateEvent e) {
    if (done) {
      return;
    }
    switch (e.getEventCase()) {
      case STARTED -> {
        format.model(e.getStarted().getModel());
        promptTokens = e.getStarted().getPromptTokens();
        started(e);
      }
      case TEXT -> {
        prefixTokens = e.getText().getPrefixTokens();
        String out = stop.add(e.getText().getText());
        if (!out.isEmpty()) {
          text(out);
        }
        if (stop.stopped()) {
          // the answer is complete: end the session now so its KV is freed before the canvas is denoised
          done = true;
          finish("stop", prefixTokens, null);
          stream.cancel();
        }
      }
      case SUMMARY -> {
        String tail = stop.flush();
        if (!tail.isEmpty()) {
          text(tail);
        }
        done = true;
        Summary s = e.getSummary();
        promptTokens = s.getPromptTokens();
        finish(ChunkFormat.finishReason(s.getFinishReason()), s.getAnswerIdsCount(), e);
      }
      default -> event(e);
    }
  }

  private synchronized void onEnd(Status s) {
    if (done || s.isOk()) {
      return;
    }
    done = true;
    failed(ApiError.of(s));
  }

  /** The session was admitted (first event unless it queued). */
  abstract void started(GenerateEvent e);

  /** The left-to-right text grew by {@code delta} (after stop strings). */
  abstract void text(String delta);

  /** A step, an eviction decision or a queue place. */
  abstract void event(GenerateEvent e);

  /** The end: {@code summary} is null when a stop string ended the text. */
  abstract void finish(String reason, int completionTokens, GenerateEvent summary);

  /** The session failed; the HTTP status tells how where the headers are not sent yet. */
  abstract void failed(ApiError error);

  static HttpResponse<String> error(ApiError e) {
    return HttpResponse.<String>status(io.micronaut.http.HttpStatus.OK).status(e.httpStatus(), e.type())
        .contentType(MediaType.APPLICATION_JSON_TYPE).body(e.json().toString());
  }
}
