package io.maskkv.controller.http;

import io.maskkv.proto.v1.GenerateRequest;
import java.util.List;

/**
 * One {@code /v1/completions} or {@code /v1/chat/completions} call: the {@link GenerateRequest} that the gRPC
 * path runs, plus what only the HTTP side handles (streaming, stop strings, the playground's event field).
 *
 * @param chat   chat completion (messages, {@code delta.content}) or text completion ({@code text})
 * @param stream answer as server-sent events
 * @param stop   stop strings: the text ends before the first one, and the session is ended there
 * @param events add a {@code maskkv} object (steps, evictions, KV bytes) to the stream's chunks
 */
record CompletionCall(GenerateRequest request, boolean chat, boolean stream, List<String> stop, boolean events) {}
