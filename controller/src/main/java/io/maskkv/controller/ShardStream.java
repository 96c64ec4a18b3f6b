package io.maskkv.controller;

import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.maskkv.proto.v1.SessionRequest;
import io.maskkv.proto.v1.SessionResponse;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One session's bidirectional stream to one shard. Replies land in an inbox that the session thread reads
 * with a deadline; a stream error, the stream's end or the worker leaving routing lands there too, so a lost
 * worker fails the waiting step at once instead of hanging it.
 */
final class ShardStream implements ClientResponseObserver<SessionRequest, SessionResponse> {
  private static final Object END = new Object();
  /**
   * A worker's own answer to a bad or impossible request, passed to the client as it is; any other failure means
   * the worker (or the link to it) is lost, and the session moves.
   */
  static final java.util.Set<Status.Code> WORKER_ANSWERS = java.util.EnumSet.of(Status.Code.INVALID_ARGUMENT,
      Status.Code.RESOURCE_EXHAUSTED, Status.Code.FAILED_PRECONDITION, Status.Code.INTERNAL,
      Status.Code.DEADLINE_EXCEEDED);
  private final WorkerNode node;
  private final BlockingQueue<Object> inbox = new LinkedBlockingQueue<>();
  private final Consumer<String> lossListener;
  private ClientCallStreamObserver<SessionRequest> requests;
  private volatile boolean cancelled;

  ShardStream(WorkerNode node) {
    this.node = node;
    this.lossListener = why -> inbox.add(Status.UNAVAILABLE.withDescription(why).asException());
    node.onLoss(lossListener);
  }

  void start() {
    node.stub().session(this);
  }

  WorkerNode node() {
    return node;
  }

  @Override
  public void beforeStart(ClientCallStreamObserver<SessionRequest> requestStream) {
    this.requests = requestStream;
  }

  @Override
  public void onNext(SessionResponse r) {
    inbox.add(r);
  }

  @Override
  public void onError(Throwable t) {
    inbox.add(t);
  }

  @Override
  public void onCompleted() {
    inbox.add(END);
  }

  synchronized void send(SessionRequest r) {
    if (cancelled) {
      throw Status.CANCELLED.withDescription("session cancelled").asRuntimeException();
    }
    requests.onNext(r);
  }

  synchronized void halfClose() {
    if (!cancelled) {
      requests.onCompleted();
    }
  }

  /** Cancels the stream; the worker frees the session's KV as soon as it sees it. Safe from any thread. */
  synchronized void cancel(String why) {
    if (!cancelled && requests != null) {
      cancelled = true;
      requests.cancel(why, null);
    }
  }

  /**
   * The next reply; null when none came by the deadline; or a status error: the worker's own error for a bad
   * request, UNAVAILABLE for a lost worker, CANCELLED after {@link #cancel}.
   */
  SessionResponse next(long deadlineNanos, String waitingFor) {
    Object o;
    try {
      o = inbox.poll(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw Status.CANCELLED.withDescription("interrupted").asRuntimeException();
    }
    if (o instanceof SessionResponse r) {
      return r;
    }
    if (cancelled) {
      throw Status.CANCELLED.withDescription("session cancelled").asRuntimeException();
    }
    if (o == null) {
      return null; // the caller decides: the session's deadline, or a worker too slow to count as alive
    }
    if (o == END) {
      String why = "worker " + node.id() + " ended the session stream while " + waitingFor;
      node.lost(why);
      throw Status.UNAVAILABLE.withDescription(why).asRuntimeException();
    }
    Throwable t = (Throwable) o;
    Status s = Status.fromThrowable(t);
    String what = "worker " + node.id() + ": " + s.getDescription();
    if (WORKER_ANSWERS.contains(s.getCode())) {
      throw s.withDescription(what).asRuntimeException();
    }
    String why = "worker " + node.id() + " (" + node.address() + ") lost: "
        + (t instanceof StatusException || t instanceof StatusRuntimeException ? s.getCode() + " "
        + s.getDescription() : t.toString());
    // a broken stream is a faster signal than the next poll: the worker leaves routing now
    node.lost(why);
    throw Status.UNAVAILABLE.withDescription(why).withCause(t).asRuntimeException();
  }

  void detach() {
    node.removeLossListener(lossListener);
  }
}
