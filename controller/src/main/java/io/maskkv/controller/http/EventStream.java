package io.maskkv.controller.http;

import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.maskkv.proto.v1.GenerateEvent;
import java.util.concurrent.CompletableFuture;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;

/**
 * A session's events for the HTTP API. The session runs exactly as a gRPC {@code Generate} call does (the same
 * {@code SessionManager}, validation, admission and streaming code): this observer stands where the gRPC call would
 * and buffers the events until the HTTP response subscribes. Cancelling the subscription (the client went away)
 * cancels the session, which frees its KV on every shard at once.
 */
final class EventStream extends ServerCallStreamObserver<GenerateEvent> {
  private final Sinks.Many<GenerateEvent> sink = Sinks.many().unicast().onBackpressureBuffer();
  /** Completes with OK at the first event, or with the status the session failed with before any event. */
  private final CompletableFuture<Status> first = new CompletableFuture<>();
  private volatile Runnable onCancel;
  private volatile boolean cancelled;

  /** OK once the session has produced its first event; its status when it ended before that. */
  CompletableFuture<Status> first() {
    return first;
  }

  /** The events; cancelling the subscription cancels the session. */
  Flux<GenerateEvent> events() {
    return sink.asFlux().doOnCancel(this::cancel);
  }

  void cancel() {
    cancelled = true;
    Runnable r = onCancel;
    if (r != null) {
      r.run();
    }
  }

  @Override
  public synchronized void onNext(GenerateEvent e) {
    first.complete(Status.OK);
    sink.tryEmitNext(e);
  }

  @Override
  public synchronized void onError(Throwable t) {
    first.complete(Status.fromThrowable(t));
    sink.tryEmitError(t);
  }

  @Override
  public synchronized void onCompleted() {
    first.complete(Status.OK);
    sink.tryEmitComplete();
  }

  @Override
  public boolean isCancelled() {
    return cancelled;
  }

  @Override
  public void setOnCancelHandler(Runnable handler) {
    onCancel = handler;
  }

  @Override
  public void setCompression(String compression) {}

  @Override
  public boolean isReady() {
    return true;
  }

  @Override
  public void setOnReadyHandler(Runnable handler) {}

  @Override
  public void request(int count) {}

  @Override
  public void setMessageCompression(boolean enable) {}

  @Override
  public void disableAutoInboundFlowControl() {}
}
