package io.maskkv.worker.session;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import io.maskkv.common.decode.StepRequest;
import io.maskkv.worker.engine.Rows;
import io.maskkv.worker.engine.Transformer;
import io.maskkv.worker.engine.Transformer.BatchMember;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Continuous batching on one shard (vLLM's iteration-level scheduling, adapted to denoising): every step any
 * session submits waits for the next iteration; each iteration takes every waiting step, runs the batchable ones
 * as one forward ({@link Transformer#runBatch}: the linear parts once over all their rows, attention per session)
 * in groups of at most {@code maxBatchRows} fed rows, and Elastic-Cache and guidance steps alone. A step too
 * long to finish within one iteration's row budget (a long prefill: rows x layers above {@code maxBatchRows}) is
 * chunked: each iteration runs one slice of it (a row chunk of a streamed layer, or a short layer) beside the
 * other sessions' steps, so a 16k-token prefill never freezes the sessions already decoding. Sessions join at the
 * next iteration and leave by not submitting. All device work runs on one thread, so the library always sees the same calling
 * thread.
 */
public final class StepScheduler implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(StepScheduler.class);
  /** Fed rows per batched forward by default: a decode step of 32 rows leaves room for 256 sessions. */
  public static final int DEFAULT_MAX_BATCH_ROWS = 8192;

  private final Transformer shard;
  private final int maxBatchRows;
  private final BlockingQueue<Runnable> queue = new LinkedBlockingQueue<>();
  private final List<Submission> waiting = new ArrayList<>();
  private final boolean chunkedPrefill;
  /** Long steps in progress, oldest first, one slice per iteration. */
  private final List<Ongoing> ongoing = new ArrayList<>();
  private final Thread thread;
  private final AtomicLong iterations = new AtomicLong();
  private final AtomicLong steps = new AtomicLong();
  private final AtomicLong largestBatch = new AtomicLong();
  private final List<Runnable> iterationListeners = new java.util.concurrent.CopyOnWriteArrayList<>();
  private volatile boolean running = true;

  /** A finished step: the shard's output and the wall time of the forward it shared. */
  public record Result(ShardSession.Output output, long computeNanos, int batchSize) {}

  /**
   * One step to queue: a session, its request, the previous shard's hidden rows (null on the first shard) and the
   * future its result completes (made by the caller, so that it can attach what follows before the step runs).
   */
  public record Submission(ShardSession session, StepRequest request, float[] hidden, CompletableFuture<Result> done) {
    public Submission(ShardSession session, StepRequest request, float[] hidden) {
      this(session, request, hidden, new CompletableFuture<>());
    }
  }

  private record Ongoing(Submission job, ShardSession.Prepared prepared, Transformer.LayerCursor cursor,
      long startNanos) {}

  public StepScheduler(Transformer shard, int maxBatchRows) {
    this(shard, maxBatchRows, true);
  }

  /** @param chunkedPrefill run long steps a slice per iteration (false: whole, in the iteration they arrive) */
  public StepScheduler(Transformer shard, int maxBatchRows, boolean chunkedPrefill) {
    if (maxBatchRows <= 0) {
      throw new IllegalArgumentException("max batch rows must be positive, got " + maxBatchRows);
    }
    this.shard = shard;
    this.maxBatchRows = maxBatchRows;
    this.chunkedPrefill = chunkedPrefill;
    this.thread = new Thread(this::loop, "maskkv-compute");
    thread.setDaemon(true);
    thread.start();
  }

  /** Queues one step of one session; it runs in the next iteration, batched with the others waiting then. */
  public CompletableFuture<Result> submit(ShardSession session, StepRequest request, float[] hidden) {
    Submission s = new Submission(session, request, hidden);
    submitAll(List.of(s));
    return s.done();
  }

  /**
   * Queues several sessions' steps at once: they all enter the same iteration (steps arriving in one message
   * from a previous shard stay together, so their outputs travel on together too).
   */
  public void submitAll(List<Submission> submissions) {
    List<Submission> jobs = List.copyOf(submissions);
    if (!running || !queue.offer(() -> waiting.addAll(jobs))) {
      jobs.forEach(j -> j.done().completeExceptionally(new IllegalStateException("the step scheduler is stopped")));
    }
  }

  /**
   * Runs {@code listener} on the compute thread after every iteration, once the steps finished in it are
   * completed: a caller that gathers finished steps answers them together.
   */
  public void afterEachIteration(Runnable listener) {
    iterationListeners.add(listener);
  }

  public void removeIterationListener(Runnable listener) {
    iterationListeners.remove(listener);
  }

  /** Runs a step and waits for it; a failure is rethrown as it was thrown. */
  public Result run(ShardSession session, StepRequest request, float[] hidden) {
    return await(submit(session, request, hidden));
  }

  /**
   * Drops a session's waiting step and stops its long step where it stands (a cancelled 16k-token prefill must
   * not run on for seconds): its caller gets a {@link java.util.concurrent.CancellationException} at the next
   * iteration boundary (at most one slice later) and can free the session. Safe from any thread.
   */
  public void cancel(ShardSession session) {
    if (!running) {
      return;
    }
    queue.offer(() -> {
      for (var it = waiting.iterator(); it.hasNext(); ) {
        Submission j = it.next();
        if (j.session() == session) {
          it.remove();
          j.done().cancel(false);
        }
      }
      for (var it = ongoing.iterator(); it.hasNext(); ) {
        Ongoing o = it.next();
        if (o.job().session() == session) {
          it.remove();
          o.cursor().abandon();
          o.prepared().scope().close();
          o.job().done().cancel(false);
        }
      }
    });
  }

  /** Runs other device work (opening or closing a session) on the compute thread, between iterations. */
  public <T> T call(Callable<T> work) {
    CompletableFuture<T> done = new CompletableFuture<>();
    Runnable task = () -> {
      try {
        done.complete(work.call());
      } catch (Throwable t) {
        done.completeExceptionally(t);
      }
    };
    if (!running || !queue.offer(task)) {
      throw new IllegalStateException("the step scheduler is stopped");
    }
    return await(done);
  }

  private static <T> T await(CompletableFuture<T> f) {
    try {
      return f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for the compute thread", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      if (e.getCause() instanceof Error err) {
        throw err;
      }
      throw new IllegalStateException(e.getCause());
    }
  }

  private void loop() {
    while (running) {
      try {
        if (ongoing.isEmpty()) {
          queue.take().run();
        }
        Runnable more;
        while ((more = queue.poll()) != null) {
          more.run();
        }
        List<Submission> jobs = new ArrayList<>(waiting);
        waiting.clear();
        try {
          iteration(jobs);
        } finally {
          for (Runnable l : iterationListeners) {
            l.run();
          }
        }
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException | Error e) {
        LOG.error("compute thread: unexpected failure", e);
      }
    }
  }

  /** One iteration: every waiting step, batched where it can be. */
  private void iteration(List<Submission> jobs) {
    iterations.incrementAndGet();
    List<ShardSession.Prepared> group = new ArrayList<>();
    List<Submission> groupJobs = new ArrayList<>();
    int groupRows = 0;
    for (Submission job : jobs) {
      ShardSession.Prepared p;
      try {
        p = job.session().prepare(job.request(), job.hidden());
      } catch (RuntimeException | Error e) {
        job.done().completeExceptionally(e);
        continue;
      }
      int rows = p.rows().positions().length;
      boolean longStep = !shard.batchable(p.rows()) || (long) rows * shard.layerCount() > maxBatchRows;
      if (longStep && chunkedPrefill) { // Elastic-Cache's long steps too: a cursor runs a view's row swaps
        ongoing.add(new Ongoing(job, p, shard.cursor(p.rows(), p.view(), null, p.scope()), System.nanoTime()));
        continue;
      }
      if (longStep || !job.session().batchable()) {
        alone(job, p);
        continue;
      }
      if (!group.isEmpty() && groupRows + rows > maxBatchRows) {
        batch(groupJobs, group);
        group = new ArrayList<>();
        groupJobs = new ArrayList<>();
        groupRows = 0;
      }
      group.add(p);
      groupJobs.add(job);
      groupRows += rows;
    }
    if (!group.isEmpty()) {
      batch(groupJobs, group);
    }
    advanceOngoing();
  }

  /**
   * Long steps advance first come, first served, one slice of prefill work per iteration (a row chunk of a
   * streamed layer, or a short layer): the oldest runs until done, then the next, so each finishes as early as
   * it can (advancing all in lockstep would finish none until all are nearly done), and the sessions decoding
   * beside them wait for one slice at most.
   */
  private void advanceOngoing() {
    if (ongoing.isEmpty()) {
      return;
    }
    Ongoing o = ongoing.get(0);
    boolean finished = true;
    try {
      o.cursor().advanceRows(shard.prefillChunkRows());
      if (!o.cursor().done()) {
        finished = false;
        return;
      }
      complete(o.job(), o.prepared(), o.cursor().rows(), System.nanoTime() - o.startNanos(), 1, null);
    } catch (RuntimeException | Error e) {
      o.cursor().abandon();
      o.job().done().completeExceptionally(e);
    } finally {
      if (finished) {
        o.prepared().scope().close();
        ongoing.remove(0);
      }
    }
  }

  private void alone(Submission job, ShardSession.Prepared p) {
    long t0 = System.nanoTime();
    try {
      complete(job, p, shard.run(p.rows(), p.view(), null, p.scope()), System.nanoTime() - t0, 1, null);
    } catch (RuntimeException | Error e) {
      job.done().completeExceptionally(e);
    } finally {
      p.scope().close();
    }
  }

  /**
   * The shard's output for a step whose rows went through its layers, handed to the waiting caller.
   *
   * @param logits the step's head logits when a batch computed them (null: the session computes its own)
   */
  private void complete(Submission job, ShardSession.Prepared p, Rows out, long nanos, int batchSize, float[] logits) {
    try {
      ShardSession.Output o = job.session().finish(p, out, logits);
      steps.incrementAndGet();
      job.done().complete(new Result(o, nanos, batchSize));
    } catch (RuntimeException | Error e) {
      job.done().completeExceptionally(e);
    }
  }

  private void batch(List<Submission> jobs, List<ShardSession.Prepared> prepared) {
    long t0 = System.nanoTime();
    largestBatch.accumulateAndGet(jobs.size(), Math::max);
    try {
      List<BatchMember> members = new ArrayList<>(prepared.size());
      for (ShardSession.Prepared p : prepared) {
        members.add(new BatchMember(p.rows(), p.view(), p.scope()));
      }
      var outs = shard.runBatch(members);
      float[][] heads = jobs.size() > 1 && shard.hasHead() ? batchedHead(jobs, prepared, outs) : null;
      long nanos = System.nanoTime() - t0;
      for (int i = 0; i < jobs.size(); i++) {
        complete(jobs.get(i), prepared.get(i), outs.get(i), nanos, jobs.size(), heads == null ? null : heads[i]);
      }
    } catch (RuntimeException | Error e) {
      // a failure inside the shared forward cannot be pinned on one member: every member of the group fails
      LOG.error("batched step of {} sessions failed", jobs.size(), e);
      for (Submission job : jobs) {
        job.done().completeExceptionally(e);
      }
    } finally {
      for (ShardSession.Prepared p : prepared) {
        p.scope().close();
      }
    }
  }

  /**
   * Every member's logits from one LM-head pass over all their asked rows (one norm and one matmul instead of one
   * per session), split back per member; null when a member's rows cannot be selected (each then finishes, or
   * fails, on its own).
   */
  private float[][] batchedHead(List<Submission> jobs, List<ShardSession.Prepared> prepared, List<Rows> outs) {
    int vocab = shard.config().vocabSize();
    NDList rows = new NDList(jobs.size());
    int[] counts = new int[jobs.size()];
    try {
      for (int i = 0; i < jobs.size(); i++) {
        NDArray r = jobs.get(i).session().headInput(prepared.get(i), outs.get(i));
        counts[i] = Math.toIntExact(r.getShape().get(0));
        rows.add(r);
      }
    } catch (RuntimeException e) {
      return null;
    }
    try (NDManager scope = prepared.get(0).scope().newSubManager()) {
      NDArray all = NDArrays.concat(rows, 0);
      all.attach(scope);
      NDArray logits = shard.logits(all);
      logits.attach(scope);
      float[] flat = logits.toFloatArray();
      float[][] out = new float[jobs.size()][];
      int at = 0;
      for (int i = 0; i < counts.length; i++) {
        out[i] = java.util.Arrays.copyOfRange(flat, at, at + counts[i] * vocab);
        at += counts[i] * vocab;
      }
      return out;
    }
  }

  /** Iterations run, steps finished and the largest batch so far (for logs and benchmarks). */
  public long iterations() {
    return iterations.get();
  }

  public long steps() {
    return steps.get();
  }

  public long largestBatch() {
    return largestBatch.get();
  }

  @Override
  public void close() {
    running = false;
    thread.interrupt();
    try {
      thread.join(5000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    Runnable r; // what never ran: jobs move to waiting and fail, other work fails its caller
    while ((r = queue.poll()) != null) {
      r.run();
    }
    for (Submission j : waiting) {
      j.done().completeExceptionally(new IllegalStateException("the step scheduler is stopped"));
    }
    waiting.clear();
    for (Ongoing o : ongoing) {
      o.job().done().completeExceptionally(new IllegalStateException("the step scheduler is stopped"));
      o.cursor().abandon();
      o.prepared().scope().close();
    }
    ongoing.clear();
  }
}
