package io.maskkv.bench.load;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.maskkv.proto.v1.GenerateEvent;
import io.maskkv.proto.v1.GenerateRequest;
import io.maskkv.proto.v1.GenerationServiceGrpc;
import io.maskkv.proto.v1.Summary;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Drives sessions against a controller's public API: either a fixed number in flight (each finished session
 * starts the next) or Poisson arrivals at a rate. Every session streams over the async stub, so the client never
 * limits the concurrency it asks for.
 */
public final class LoadRun {
  private final ManagedChannel channel;
  private final GenerateRequest template;
  private final List<LoadPrompt> prompts;
  private final long timeoutSeconds;

  public LoadRun(ManagedChannel channel, GenerateRequest template, List<LoadPrompt> prompts, long timeoutSeconds) {
    if (prompts.isEmpty()) {
      throw new IllegalArgumentException("no prompts to send");
    }
    this.channel = channel;
    this.template = template;
    this.prompts = prompts;
    this.timeoutSeconds = timeoutSeconds;
  }

  /** A run's sessions, the wall time it took and the most KV bytes its sessions held at once. */
  public record Result(List<SessionRecord> sessions, double wallMs, long peakKvBytes) {}

  /** {@code sessions} sessions with at most {@code concurrency} in flight. */
  public Result closedLoop(int concurrency, int sessions, Consumer<SessionRecord> progress) {
    Semaphore slots = new Semaphore(concurrency);
    return drive(sessions, progress, (i, launch) -> {
      slots.acquireUninterruptibly();
      launch.accept(() -> slots.release());
    });
  }

  /** {@code sessions} sessions arriving as a Poisson process of {@code rate} per second (seeded). */
  public Result poisson(double rate, int sessions, long seed, Consumer<SessionRecord> progress) {
    if (!(rate > 0)) {
      throw new IllegalArgumentException("arrival rate must be positive, got " + rate);
    }
    SplittableRandom r = new SplittableRandom(seed);
    long t0 = System.nanoTime();
    double[] next = {0};
    return drive(sessions, progress, (i, launch) -> {
      next[0] += -Math.log(1 - r.nextDouble()) / rate;
      long wait = t0 + (long) (next[0] * 1e9) - System.nanoTime();
      if (wait > 0) {
        try {
          TimeUnit.NANOSECONDS.sleep(wait);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      launch.accept(() -> {});
    });
  }

  private interface Arrival {
    void next(int index, Consumer<Runnable> launch);
  }

  private Result drive(int sessions, Consumer<SessionRecord> progress, Arrival arrival) {
    List<SessionRecord> out = Collections.synchronizedList(new ArrayList<>());
    CountDownLatch done = new CountDownLatch(sessions);
    KvTracker kv = new KvTracker();
    long t0 = System.nanoTime();
    for (int i = 0; i < sessions; i++) {
      int index = i;
      arrival.next(i, onEnd -> start(index, t0, kv, r -> {
        out.add(r);
        progress.accept(r);
        onEnd.run();
        done.countDown();
      }));
    }
    try {
      if (!done.await(timeoutSeconds * Math.max(1, sessions), TimeUnit.SECONDS)) {
        throw new IllegalStateException("the load run did not finish in time");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    return new Result(new ArrayList<>(out), (System.nanoTime() - t0) / 1e6, kv.peak());
  }

  private void start(int index, long t0, KvTracker kv, Consumer<SessionRecord> onEnd) {
    int promptIndex = index % prompts.size();
    LoadPrompt p = prompts.get(promptIndex);
    GenerateRequest.Builder b = template.toBuilder();
    if (p.ids() != null) {
      for (int id : p.ids()) {
        b.addPromptIds(id);
      }
    } else {
      b.setPrompt(p.text());
    }
    double startMs = (System.nanoTime() - t0) / 1e6;
    Object key = new Object();
    GenerationServiceGrpc.newStub(channel).withDeadlineAfter(timeoutSeconds, TimeUnit.SECONDS)
        .generate(b.build(), new StreamObserver<>() {
          private double firstStep = -1;
          private final List<Double> steps = new ArrayList<>();
          private Summary summary;

          @Override
          public void onNext(GenerateEvent e) {
            if (e.hasStep()) {
              if (firstStep < 0) {
                firstStep = (System.nanoTime() - t0) / 1e6 - startMs;
              } else {
                steps.add(e.getStep().getStepMs());
              }
              kv.update(key, e.getStep().getKvBytes());
            } else if (e.hasSummary()) {
              summary = e.getSummary();
            }
          }

          @Override
          public void onError(Throwable t) {
            kv.update(key, 0);
            onEnd.accept(new SessionRecord(promptIndex, startMs, (System.nanoTime() - t0) / 1e6, Status.fromThrowable(t)
                .getCode().name(), firstStep, array(steps), 0, 0, 0, null, ""));
          }

          @Override
          public void onCompleted() {
            kv.update(key, 0);
            Summary s = summary == null ? Summary.getDefaultInstance() : summary;
            Boolean correct = p.answers().isEmpty() ? null : p.answers().contains(s.getText().trim());
            onEnd.accept(new SessionRecord(promptIndex, startMs, (System.nanoTime() - t0) / 1e6, "OK", firstStep,
                array(steps), s.getQueueMs(), s.getResponseIdsCount(), s.getKvBytesPeak(), correct, s.getText()));
          }
        });
  }

  private static double[] array(List<Double> v) {
    return v.stream().mapToDouble(Double::doubleValue).toArray();
  }

  /** The KV bytes every session holds now (from its latest step), and the most they held together. */
  private static final class KvTracker {
    private final ConcurrentHashMap<Object, Long> held = new ConcurrentHashMap<>();
    private final AtomicLong total = new AtomicLong();
    private final AtomicLong peak = new AtomicLong();

    void update(Object session, long bytes) {
      Long before = bytes == 0 ? held.remove(session) : held.put(session, bytes);
      long now = total.addAndGet(bytes - (before == null ? 0 : before));
      peak.accumulateAndGet(now, Math::max);
    }

    long peak() {
      return peak.get();
    }
  }
}
