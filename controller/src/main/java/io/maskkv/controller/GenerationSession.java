package io.maskkv.controller;

import io.grpc.Deadline;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import io.maskkv.common.decode.Candidate;
import io.maskkv.common.decode.DenoisingDriver;
import io.maskkv.common.decode.FinishReason;
import io.maskkv.common.decode.GenerationResult;
import io.maskkv.common.decode.StepEvent;
import io.maskkv.common.wire.WireFormat;
import io.maskkv.proto.v1.CommittedToken;
import io.maskkv.proto.v1.EvictionUpdate;
import io.maskkv.proto.v1.GenerateEvent;
import io.maskkv.proto.v1.GenerateRequest;
import io.maskkv.proto.v1.Queued;
import io.maskkv.proto.v1.Started;
import io.maskkv.proto.v1.StepUpdate;
import io.maskkv.proto.v1.Summary;
import io.maskkv.proto.v1.TextDelta;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Generate call from validation to the summary, on a session thread: resolve, admit, open the shard
 * streams, run the {@link DenoisingDriver} over a {@link FailoverExecutor} (which moves the session to another
 * worker group when one is lost), stream events, free everything. Any
 * other thread (client cancel, drain, deadline) only calls {@link #abort}.
 */
final class GenerationSession implements Runnable {
  private static final Logger LOG = LoggerFactory.getLogger(GenerationSession.class);
  private final String id;
  private final GenerateRequest request;
  private final ServerCallStreamObserver<GenerateEvent> out;
  private final SessionManager manager;
  private final long arrived = System.nanoTime();
  private final long deadlineNanos;
  private volatile Status abort;
  private volatile FailoverExecutor executor;
  private int steps;
  private int stepLimit = Integer.MAX_VALUE;

  GenerationSession(String id, GenerateRequest request, ServerCallStreamObserver<GenerateEvent> out,
      SessionManager manager, Deadline clientDeadline) {
    this.id = id;
    this.request = request;
    this.out = out;
    this.manager = manager;
    long timeout = manager.config().getSessionTimeout().toNanos();
    if (clientDeadline != null) {
      timeout = Math.min(timeout, clientDeadline.timeRemaining(TimeUnit.NANOSECONDS));
    }
    this.deadlineNanos = arrived + timeout;
  }

  String id() {
    return id;
  }

  /** Ends the session with this status as soon as possible; the workers free its KV at once. */
  void abort(Status why) {
    if (abort == null) {
      abort = why;
    }
    FailoverExecutor e = executor;
    if (e != null) {
      e.cancel(why.getDescription());
    }
  }

  private boolean stopping() {
    if (abort == null && System.nanoTime() > deadlineNanos) {
      abort(Status.DEADLINE_EXCEEDED.withDescription("session " + id + " ran past its deadline"));
    }
    if (abort == null && steps > stepLimit) {
      // every step commits at least one position unless the model proposes the mask token itself
      abort(Status.INTERNAL.withDescription("session " + id + " made no progress after " + steps
          + " steps (the model keeps proposing the mask token)"));
    }
    return abort != null;
  }

  @Override
  public void run() {
    try {
      ResolvedRequest r = manager.resolver().resolve(request);
      FailoverExecutor ex = new FailoverExecutor(id, manager.admission(), r, StepTimeouts.of(manager.config()),
          deadlineNanos, manager.config().getMaxReplays(),
          (worker, d) -> out.onNext(GenerateEvent.newBuilder().setEviction(EvictionUpdate.newBuilder()
              .setWorker(worker).setDecision(d)).build()));
      executor = ex;
      boolean finished = false;
      try {
        if (abort != null) {
          ex.cancel(abort.getDescription());
        }
        ex.open(new Admission.Waiter() {
          @Override
          public void queued(int position, double waitedMs) {
            out.onNext(GenerateEvent.newBuilder().setQueued(Queued.newBuilder().setPosition(position)
                .setWaitedMs(waitedMs)).build());
          }

          @Override
          public boolean cancelled() {
            return stopping();
          }
        });
        generate(r, ex, System.nanoTime());
        finished = true;
      } finally {
        if (!finished) {
          ex.cancel("session " + id + " failed"); // every shard frees the KV now, a hung one included
        }
        ex.close();
      }
    } catch (IllegalArgumentException e) {
      fail(Status.INVALID_ARGUMENT.withDescription(e.getMessage()));
    } catch (StatusRuntimeException e) {
      fail(e.getStatus());
    } catch (RuntimeException e) {
      LOG.error("session {} failed", id, e);
      fail(Status.INTERNAL.withDescription(e.toString()).withCause(e));
    } finally {
      manager.finished(this);
    }
  }

  private void generate(ResolvedRequest r, FailoverExecutor ex, long admitted) {
    Lease lease = ex.lease();
    Started.Builder started = Started.newBuilder().setSessionId(id).setModel(r.model().name())
        .setPromptTokens(r.prompt().length).addAllWorkers(lease.group().ids())
        .setOptions(WireFormat.toProto(r.options())).setReservedKvBytes(lease.totalReserved());
    if (r.plan().evicts()) {
      for (int b : r.plan().layerBudgets()) {
        started.addLayerBudgets(b);
      }
    }
    out.onNext(GenerateEvent.newBuilder().setStarted(started).build());
    stepLimit = r.options().steps() + r.options().genLength();
    TextStreamer text = new TextStreamer(r.model().tokenizer(), r.model().config(), r.options().genLength());
    GenerationResult result = DenoisingDriver.run(r.prompt(), r.options(), r.model().config(), ex,
        e -> onStep(e, text), this::stopping);
    if (result.finishReason() == FinishReason.CANCELLED) {
      throw (abort != null ? abort : Status.CANCELLED).asRuntimeException();
    }
    String answer = r.model().tokenizer() == null ? "" : r.model().tokenizer().decode(result.answer());
    String tail = text.extend(answer);
    if (!tail.isEmpty()) {
      out.onNext(GenerateEvent.newBuilder().setText(TextDelta.newBuilder().setText(tail)
          .setPrefixTokens(result.answer().length)).build());
    }
    Summary.Builder s = Summary.newBuilder().setText(answer).setFinishReason(switch (result.finishReason()) {
      case STOP -> io.maskkv.proto.v1.FinishReason.FINISH_REASON_STOP;
      case LENGTH -> io.maskkv.proto.v1.FinishReason.FINISH_REASON_LENGTH;
      case CANCELLED -> io.maskkv.proto.v1.FinishReason.FINISH_REASON_CANCELLED;
    }).setPromptTokens(r.prompt().length).setSteps(result.steps())
        .setKvBytesPromptFull(result.promptKvBytesFull()).setKvBytesKept(result.kvBytesFinal())
        .setKvBytesPeak(result.kvBytesPeak()).setQueueMs((admitted - arrived) / 1e6)
        .setPrefillMs(result.firstStepNanos() / 1e6).setMsPerStep(result.msPerCachedStep())
        .setTotalMs(result.totalNanos() / 1e6).setLayerSteps(result.layerSteps())
        .setLayerStepsRecomputed(result.layerStepsRecomputed()).setWorkerComputeMs(ex.computeNanos() / 1e6);
    for (int t : result.response()) {
      s.addResponseIds(t);
    }
    for (int t : result.answer()) {
      s.addAnswerIds(t);
    }
    out.onNext(GenerateEvent.newBuilder().setSummary(s).build());
    out.onCompleted();
  }

  private void onStep(StepEvent e, TextStreamer text) {
    steps++;
    StepUpdate.Builder b = StepUpdate.newBuilder().setStep(e.step()).setBlock(e.block()).setRowsFed(e.rowsFed())
        .setKvBytes(e.kvBytes()).setStepMs(e.nanos() / 1e6);
    for (Candidate c : e.committed()) {
      b.addCommitted(CommittedToken.newBuilder().setPosition(c.position()).setTokenId(c.token())
          .setText(text.token(c.token())).setConfidence(c.confidence()));
    }
    out.onNext(GenerateEvent.newBuilder().setStep(b).build());
    String delta = text.commit(e.committed());
    if (!delta.isEmpty()) {
      out.onNext(GenerateEvent.newBuilder().setText(TextDelta.newBuilder().setText(delta)
          .setPrefixTokens(text.prefixTokens())).build());
    }
  }

  private void fail(Status s) {
    Status status = abort != null && s.getCode() == Status.Code.CANCELLED ? abort : s;
    if (status.getCode() != Status.Code.CANCELLED) {
      LOG.info("session {}: {} {}", id, status.getCode(), status.getDescription());
    }
    if (!out.isCancelled()) {
      try {
        out.onError(status.asRuntimeException());
      } catch (IllegalStateException alreadyClosed) {
        // the call completed meanwhile
      }
    }
  }
}
