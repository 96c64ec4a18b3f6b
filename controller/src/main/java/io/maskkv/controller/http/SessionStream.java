package io.maskkv.controller.http;

import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.maskkv.proto.v1.GenerateEvent;
import java.util.function.Consumer;

/**
 * The HTTP side of one session: {@code SessionManager.start} takes the same observer type that a gRPC call
 * hands it, so the HTTP API runs the gRPC path's one implementation (validation, admission, routing, freeing)
 * unchanged. Events and the end go to the consumers; {@link #cancel} plays the part of a gRPC client cancel: it
 * runs the handler the session manager registered, which aborts the session and frees its KV.
 */
final class SessionStream extends ServerCallStreamObserver<GenerateEvent> {
  private final Consumer<GenerateEvent> events;
  private final Consumer<Status> end;
  private final Runnable onCancelled;
  private volatile Runnable onCancel;
  private volatile boolean cancelled;
  private volatile boolean closed;

  /**
   * {@code end} gets OK after the last event, or the status the session failed with; a cancelled stream gets no
   * end (the session stops talking to a cancelled call), only {@code onCancelled}.
   */
  SessionStream(Consumer<GenerateEvent> events, Consumer<Status> end, Runnable onCancelled) {
    this.events = events;
    this.end = end;
    this.onCancelled = onCancelled;
  }

  /** The HTTP client went away (or the stream found a stop sequence): end the session now. */
  void cancel() {
    if (cancelled) {
      return;
    }
    cancelled = true;
    onCancelled.run();
    Runnable r = onCancel;
    if (r != null) {
      r.run();
    }
  }

  @Override
  public void onNext(GenerateEvent value) {
    if (!closed && !cancelled) {
      events.accept(value);
    }
  }

  @Override
  public void onError(Throwable t) {
    if (!closed) {
      closed = true;
      end.accept(Status.fromThrowable(t));
    }
  }

  @Override
  public void onCompleted() {
    if (!closed) {
      closed = true;
      end.accept(Status.OK);
    }
  }

  @Override
  public boolean isCancelled() {
    return cancelled;
  }

  @Override
  public void setOnCancelHandler(Runnable onCancelHandler) {
    this.onCancel = onCancelHandler;
    if (cancelled) {
      onCancelHandler.run(); // cancelled before the manager got to register it
    }
  }

  // flow control: the HTTP side buffers (a response is at most gen_length tokens), so the stream is always ready
  @Override
  public boolean isReady() {
    return true;
  }

  @Override
  public void setOnReadyHandler(Runnable onReadyHandler) {}

  @Override
  public void setCompression(String compression) {}

  @Override
  public void disableAutoInboundFlowControl() {}

  @Override
  public void request(int count) {}

  @Override
  public void setMessageCompression(boolean enable) {}
}
