package io.maskkv.controller.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.maskkv.controller.metrics.SessionMetrics;
import io.maskkv.proto.v1.GenerateEvent;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;

/** A non-streaming call: collects the text and answers once, with usage and the session's summary. */
final class WholeReply extends Reply {
  private final StringBuilder text = new StringBuilder();

  WholeReply(CompletionCall call, SessionMetrics metrics) {
    super(call, metrics);
  }

  @Override
  void started(GenerateEvent e) {}

  @Override
  void text(String delta) {
    text.append(delta);
  }

  @Override
  void event(GenerateEvent e) {}

  @Override
  void finish(String reason, int completionTokens, GenerateEvent summary) {
    ObjectNode r = ChunkFormat.usage(format.reply(text.toString(), reason), promptTokens, completionTokens);
    if (summary != null) {
      ChunkFormat.withEvent(r, summary);
    }
    response.complete(HttpResponse.ok(r.toString()).contentType(MediaType.APPLICATION_JSON_TYPE));
  }

  @Override
  void failed(ApiError error) {
    response.complete(error(error));
  }
}
