package io.maskkv.controller;

import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.maskkv.proto.v1.HopRequest;
import io.maskkv.proto.v1.HopResponse;
import io.maskkv.proto.v1.HopResult;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The controller's one Hop stream to one worker, shared by every session placed there. Steps bound for the worker
 * leave together: whatever is queued when the stream is free to send goes as one message, and the members of
 * one reply (those that shared an iteration on the previous shard) are forwarded to their next shard as one
 * message. A broken stream fails every step on it at once and takes the worker out of routing; the next step
 * opens a new stream.
 */
final class HopLink {
  private final WorkerNode node;
  private final Map<Long, Travel> aboard = new ConcurrentHashMap<>();
  private final AtomicLong tags = new AtomicLong();
  private final List<Travel> outbox = new ArrayList<>();
  private boolean draining;
  private Stream stream;

  HopLink(WorkerNode node) {
    this.node = node;
    node.onLoss(why -> failAll(Status.UNAVAILABLE.withDescription(why)));
  }

  WorkerNode node() {
    return node;
  }

  /**
   * Queues steps for this worker. The caller that finds no send in progress sends everything queued as one
   * message (repeating while more arrived), so steps arriving together share a message.
   */
  void send(List<Travel> travels) {
    synchronized (outbox) {
      outbox.addAll(travels);
      if (draining) {
        return;
      }
      draining = true;
    }
    while (true) {
      List<Travel> batch;
      synchronized (outbox) {
        if (outbox.isEmpty()) {
          draining = false;
          return;
        }
        batch = new ArrayList<>(outbox);
        outbox.clear();
      }
      transmit(batch);
    }
  }

  private void transmit(List<Travel> batch) {
    HopRequest.Builder msg = HopRequest.newBuilder();
    for (Travel t : batch) {
      if (t.finished()) {
        continue; // cancelled or failed while queued
      }
      long tag = tags.incrementAndGet();
      aboard.put(tag, t);
      msg.addMembers(t.member(tag));
    }
    if (msg.getMembersCount() == 0) {
      return;
    }
    Stream s = null;
    try {
      synchronized (this) {
        if (stream == null) {
          stream = new Stream();
          node.stub().hop(stream);
        }
        s = stream;
        s.requests.onNext(msg.build());
      }
    } catch (RuntimeException e) {
      broken(s, Status.UNAVAILABLE.withDescription("worker " + node.id() + " (" + node.address()
          + "): sending a step failed: " + e.getMessage()));
    }
  }

  /** Moves each finished member on: the ones bound for the same next worker leave in one message. */
  private void received(HopResponse r) {
    Map<HopLink, List<Travel>> onward = new IdentityHashMap<>();
    for (HopResult res : r.getResultsList()) {
      Travel t = aboard.remove(res.getTag());
      if (t == null || t.finished()) {
        continue;
      }
      if (res.hasFailure()) {
        Status s = Status.fromCodeValue(res.getFailure().getCode());
        t.fail(s.withDescription("worker " + node.id() + ": " + res.getFailure().getMessage()));
        continue;
      }
      HopLink next = t.arrived(res.getResult(), res.getEvictionsList());
      if (next != null) {
        onward.computeIfAbsent(next, k -> new ArrayList<>()).add(t);
      }
    }
    onward.forEach(HopLink::send);
  }

  private void broken(Stream s, Status why) {
    synchronized (this) {
      if (stream == s) {
        stream = null;
      }
    }
    node.lost(why.getDescription());
    failAll(why);
  }

  /** Fails every step on this worker now (it left routing, or its stream broke). */
  private void failAll(Status why) {
    for (var it = aboard.values().iterator(); it.hasNext(); ) {
      it.next().fail(why);
      it.remove();
    }
  }

  /** Ends the stream (controller shutdown). */
  synchronized void close() {
    if (stream != null && stream.requests != null) {
      stream.requests.cancel("controller closing", null);
      stream = null;
    }
  }

  private final class Stream implements ClientResponseObserver<HopRequest, HopResponse> {
    private ClientCallStreamObserver<HopRequest> requests;

    @Override
    public void beforeStart(ClientCallStreamObserver<HopRequest> r) {
      this.requests = r;
    }

    @Override
    public void onNext(HopResponse r) {
      received(r);
    }

    @Override
    public void onError(Throwable t) {
      Status s = Status.fromThrowable(t);
      broken(this, Status.UNAVAILABLE.withDescription("worker " + node.id() + " (" + node.address() + ") lost: "
          + s.getCode() + " " + s.getDescription()).withCause(t));
    }

    @Override
    public void onCompleted() {
      broken(this, Status.UNAVAILABLE.withDescription("worker " + node.id() + " ended its hop stream"));
    }
  }
}
