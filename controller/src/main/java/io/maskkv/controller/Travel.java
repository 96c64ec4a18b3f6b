package io.maskkv.controller;

import io.grpc.Status;
import io.maskkv.proto.v1.EvictionDecision;
import io.maskkv.proto.v1.HopMember;
import io.maskkv.proto.v1.StepInput;
import io.maskkv.proto.v1.StepOutput;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * One session's step on its way through a worker group: it enters the first shard's {@link HopLink}, and each
 * shard's output moves it on to the next with that shard's hidden rows, together with the other sessions that
 * finished in the same iteration there. The last shard's output completes it.
 */
final class Travel {
  /** A shard's eviction decision, kept for the session's thread to report in order. */
  record Eviction(String workerId, EvictionDecision decision) {}

  private final HopLink[] route;
  private final long[] handles;
  private final StepInput.Builder input;
  private final StepOutput[] outputs;
  private final List<Eviction> evictions = new ArrayList<>();
  private final CompletableFuture<StepOutput[]> done = new CompletableFuture<>();
  private volatile int at;

  Travel(HopLink[] route, long[] handles, StepInput.Builder input) {
    this.route = route;
    this.handles = handles;
    this.input = input;
    this.outputs = new StepOutput[route.length];
  }

  /** The shard the step is at now (the one to blame if it stalls). */
  HopLink here() {
    return route[Math.min(at, route.length - 1)];
  }

  HopMember member(long tag) {
    return HopMember.newBuilder().setTag(tag).setHandle(handles[at]).setStep(input).build();
  }

  /**
   * Records the output of the shard the step is at; returns the next shard's link, or null when this was the
   * last shard (the travel is then complete).
   */
  HopLink arrived(StepOutput out, List<EvictionDecision> decisions) {
    synchronized (evictions) {
      for (EvictionDecision d : decisions) {
        evictions.add(new Eviction(route[at].node().id(), d));
      }
    }
    outputs[at] = out;
    if (at == route.length - 1) {
      done.complete(outputs);
      return null;
    }
    input.setHidden(out.getHidden()).setRows(out.getRows());
    at++;
    return route[at];
  }

  void fail(Status status) {
    done.completeExceptionally(status.asRuntimeException());
  }

  boolean finished() {
    return done.isDone();
  }

  CompletableFuture<StepOutput[]> done() {
    return done;
  }

  List<Eviction> evictions() {
    synchronized (evictions) {
      return List.copyOf(evictions);
    }
  }
}
