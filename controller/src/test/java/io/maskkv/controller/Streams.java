package io.maskkv.controller;

import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.maskkv.proto.v1.GenerateEvent;
import io.maskkv.proto.v1.GenerateRequest;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/** An async Generate call that records its events and its end, and can be cancelled from the test. */
final class Streams implements ClientResponseObserver<GenerateRequest, GenerateEvent> {
  final List<GenerateEvent> events = new CopyOnWriteArrayList<>();
  final List<Long> arrivals = new CopyOnWriteArrayList<>();
  final CompletableFuture<Status> end = new CompletableFuture<>();
  final CompletableFuture<GenerateEvent> firstStep = new CompletableFuture<>();
  private final Consumer<GenerateEvent> onEvent;
  private volatile ClientCallStreamObserver<GenerateRequest> call;

  Streams(Consumer<GenerateEvent> onEvent) {
    this.onEvent = onEvent;
  }

  static Streams start(TestCluster c, GenerateRequest r) {
    Streams s = new Streams(e -> {});
    c.async().generate(r, s);
    return s;
  }

  @Override
  public void beforeStart(ClientCallStreamObserver<GenerateRequest> requestStream) {
    call = requestStream;
  }

  void cancel() {
    call.cancel("test cancels", null);
  }

  @Override
  public void onNext(GenerateEvent e) {
    events.add(e);
    arrivals.add(System.nanoTime());
    if (e.hasStep()) {
      firstStep.complete(e);
    }
    onEvent.accept(e);
  }

  @Override
  public void onError(Throwable t) {
    end.complete(Status.fromThrowable(t));
  }

  @Override
  public void onCompleted() {
    end.complete(Status.OK);
  }
}
