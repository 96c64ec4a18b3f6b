package io.maskkv.controller;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.maskkv.common.security.ClusterAccess;
import io.maskkv.common.security.RateLimitedLog;
import io.maskkv.proto.v1.InfoRequest;
import io.maskkv.proto.v1.WorkerInfo;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every worker the controller knows, however it was found (static list, DNS names, self-registration, the
 * embedded worker). Static and DNS workers are asked for their Info every poll interval; registered ones send
 * heartbeats. A worker that stops answering leaves routing at once and its sessions are told.
 */
@Singleton
public class WorkerRegistry implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(WorkerRegistry.class);
  private static final RateLimitedLog REFUSED = new RateLimitedLog(LOG, 30_000);
  private final ControllerConfig config;
  private final ClusterAccess access;
  private final Map<String, WorkerNode> nodes = new ConcurrentHashMap<>();
  private final Set<String> knownModels = ConcurrentHashMap.newKeySet();
  private final Map<String, Set<String>> dnsMembers = new ConcurrentHashMap<>();
  private final ScheduledExecutorService timer;

  public WorkerRegistry(ControllerConfig config, Security security) {
    this.config = config;
    this.access = security.cluster();
    this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "maskkv-registry");
      t.setDaemon(true);
      return t;
    });
    for (String a : config.getWorkers()) {
      if (!a.isBlank()) {
        add(a.trim(), a.trim(), WorkerNode.Source.STATIC, channel(a.trim()));
      }
    }
    resolveDns();
    poll(true);
    long every = Math.max(50, config.getPollInterval().toMillis());
    timer.scheduleWithFixedDelay(() -> {
      try {
        resolveDns();
        poll(false);
      } catch (RuntimeException e) {
        LOG.error("worker poll failed", e);
      }
    }, every, every, TimeUnit.MILLISECONDS);
  }

  private ManagedChannel channel(String address) {
    return access.channel(address)
        .maxInboundMessageSize(256 << 20)
        .keepAliveTime(10, TimeUnit.SECONDS).keepAliveTimeout(5, TimeUnit.SECONDS)
        .build();
  }

  private WorkerNode add(String id, String address, WorkerNode.Source source, ManagedChannel channel) {
    WorkerNode n = new WorkerNode(id, address, source, channel);
    WorkerNode old = nodes.put(id, n);
    if (old != null) {
      old.lost("worker " + id + " was replaced");
      old.shutdown();
    }
    return n;
  }

  /** The embedded mode's in-process worker. */
  public WorkerNode addEmbedded(WorkerInfo info, ManagedChannel channel) {
    WorkerNode n = add(info.getWorkerId(), "in-process", WorkerNode.Source.EMBEDDED, channel);
    seen(n, info);
    return n;
  }

  /**
   * A worker that registered itself. It may replace only its own earlier registration (the same id at the same
   * address, after a restart) or one that has gone silent; never a static, DNS or embedded worker, and never a
   * live worker at another address (ALREADY_EXISTS).
   */
  public synchronized WorkerNode register(WorkerInfo info) {
    if (info.getAddress().isBlank()) {
      throw new IllegalArgumentException("registration without an address");
    }
    String id = info.getWorkerId().isEmpty() ? info.getAddress() : info.getWorkerId();
    WorkerNode old = nodes.get(id);
    if (old != null && old.source() != WorkerNode.Source.REGISTERED) {
      throw Status.ALREADY_EXISTS.withDescription("worker id " + id + " belongs to a " + old.source().name()
          .toLowerCase(java.util.Locale.ROOT) + " worker at " + old.address() + "; register under another id")
          .asRuntimeException();
    }
    boolean live = old != null && System.nanoTime() - old.lastSeenNanos() < config.getWorkerTimeout().toNanos();
    if (old != null && live && !old.address().equals(info.getAddress())) {
      throw Status.ALREADY_EXISTS.withDescription("worker id " + id + " is registered and live at "
          + old.address() + "; a registration from " + info.getAddress() + " cannot replace it").asRuntimeException();
    }
    WorkerNode n = add(id, info.getAddress(), WorkerNode.Source.REGISTERED, channel(info.getAddress()));
    seen(n, info);
    LOG.info("worker {} registered at {}: {} layers {}:{}", id, info.getAddress(), info.getModel(),
        info.getFromLayer(), info.getToLayer());
    return n;
  }

  /** Returns false when the id is unknown (the worker must register again). */
  public boolean heartbeat(String id, long free, int sessions, boolean serving) {
    WorkerNode n = nodes.get(id);
    if (n == null || n.source() != WorkerNode.Source.REGISTERED || n.info() == null) {
      return false;
    }
    seen(n, n.info().toBuilder().setFreeBytes(free).setSessions(sessions).setServing(serving).build());
    return true;
  }

  private void seen(WorkerNode n, WorkerInfo info) {
    knownModels.add(info.getModel());
    n.seen(info);
  }

  private void resolveDns() {
    for (String entry : config.getDns()) {
      int colon = entry.lastIndexOf(':');
      if (entry.isBlank() || colon < 0) {
        continue;
      }
      String host = entry.substring(0, colon).trim();
      String port = entry.substring(colon + 1).trim();
      Set<String> now = new HashSet<>();
      try {
        for (InetAddress a : InetAddress.getAllByName(host)) {
          now.add(a.getHostAddress() + ":" + port);
        }
      } catch (UnknownHostException e) {
        LOG.debug("DNS name {} does not resolve yet", host);
      }
      for (String a : now) {
        if (!nodes.containsKey(a)) {
          add(a, a, WorkerNode.Source.DNS, channel(a));
        }
      }
      Set<String> before = dnsMembers.getOrDefault(entry, Set.of());
      for (String gone : before) {
        WorkerNode n = nodes.get(gone);
        if (!now.contains(gone) && n != null && n.source() == WorkerNode.Source.DNS) {
          remove(n, "worker " + gone + " left DNS name " + host);
        }
      }
      dnsMembers.put(entry, now);
    }
  }

  private void remove(WorkerNode n, String why) {
    nodes.remove(n.id(), n);
    n.lost(why);
    n.shutdown();
    LOG.info("{}", why);
  }

  /** One round of Info calls to static, DNS and embedded workers; expires silent registered workers. */
  void poll(boolean wait) {
    // a waited-for poll (start, refresh) gets the longest deadline: a busy worker must not look absent at start
    long timeoutMs = wait ? 5000 : Math.max(200, Math.min(config.getPollInterval().toMillis(), 5000));
    List<WorkerNode> polled = new ArrayList<>();
    for (WorkerNode n : nodes.values()) {
      if (n.source() == WorkerNode.Source.REGISTERED) {
        long silent = System.nanoTime() - n.lastSeenNanos();
        if (silent > config.getWorkerTimeout().toNanos()) {
          remove(n, "worker " + n.id() + " missed its heartbeats for " + silent / 1_000_000 + " ms");
        }
      } else {
        polled.add(n);
      }
    }
    CountDownLatch done = new CountDownLatch(polled.size());
    for (WorkerNode n : polled) {
      n.stub().withDeadlineAfter(timeoutMs, TimeUnit.MILLISECONDS).info(InfoRequest.getDefaultInstance(),
          new StreamObserver<>() {
            @Override
            public void onNext(WorkerInfo info) {
              seen(n, info);
            }

            @Override
            public void onError(Throwable t) {
              if (Status.fromThrowable(t).getCode() == Status.Code.UNAUTHENTICATED) {
                REFUSED.warn("worker " + n.id() + " (" + n.address() + ") is kept out of routing: "
                    + Status.fromThrowable(t).getDescription());
              }
              n.lost("worker " + n.id() + " (" + n.address() + ") does not answer: " + t.getMessage());
              done.countDown();
            }

            @Override
            public void onCompleted() {
              done.countDown();
            }
          });
    }
    if (wait) {
      try {
        done.await(timeoutMs + 500, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Polls now and waits for the answers (tests, and right after a worker joins). */
  public void refresh() {
    poll(true);
  }

  public Collection<WorkerNode> all() {
    return List.copyOf(nodes.values());
  }

  public WorkerNode get(String id) {
    return nodes.get(id);
  }

  /** Healthy workers of a model. */
  public List<WorkerNode> healthy(String model) {
    return nodes.values().stream().filter(n -> n.healthy() && n.model().equals(model)).toList();
  }

  /** Every model name any worker ever reported. */
  public Set<String> knownModels() {
    return Set.copyOf(knownModels);
  }

  @PreDestroy
  @Override
  public void close() {
    timer.shutdownNow();
    for (WorkerNode n : nodes.values()) {
      n.channel().shutdownNow();
    }
    nodes.clear();
  }
}
