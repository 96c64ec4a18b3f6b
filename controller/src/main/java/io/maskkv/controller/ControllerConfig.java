package io.maskkv.controller;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.convert.format.ReadableBytes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The controller's settings, under {@code maskkv.*} in {@code application.yml}; every key can also come from
 * the environment ({@code MASKKV_WORKERS=host1:7070,host2:7070}, {@code MASKKV_EMBEDDED_ENABLED=true}, ...)
 * or a system property. The gRPC port is Micronaut's {@code grpc.server.port} ({@code GRPC_SERVER_PORT}).
 */
@ConfigurationProperties("maskkv")
public class ControllerConfig {
  private List<String> workers = new ArrayList<>();
  private List<String> dns = new ArrayList<>();
  private Duration pollInterval = Duration.ofSeconds(2);
  private Duration workerTimeout = Duration.ofSeconds(6);
  private long workerKvBytes;
  private int defaultGenLength = 32;
  private Duration sessionTimeout = Duration.ofMinutes(10);
  private Duration stepTimeout = Duration.ofSeconds(30);
  private Duration drainTimeout = Duration.ofSeconds(30);
  private int maxSessions = 64;
  private int queueSize = 256;
  private Duration queueTimeout = Duration.ofSeconds(30);
  private DefaultCache defaultCache = new DefaultCache();
  private Registration registration = new Registration();
  private Embedded embedded = new Embedded();
  private Auth auth = new Auth();
  private int maxSessionsPerToken = 0;
  private int maxPromptTokens = 0;
  private Duration stepTimeoutPerToken = Duration.ofMillis(2);
  private int maxReplays = 3;

  /** Static workers, host:port each. */
  public List<String> getWorkers() {
    return workers;
  }

  public void setWorkers(List<String> workers) {
    this.workers = workers;
  }

  /** DNS names (name:port) resolved every poll; each address is one worker (a Kubernetes headless Service). */
  public List<String> getDns() {
    return dns;
  }

  public void setDns(List<String> dns) {
    this.dns = dns;
  }

  /** How often static and DNS workers are asked for their Info. */
  public Duration getPollInterval() {
    return pollInterval;
  }

  public void setPollInterval(Duration pollInterval) {
    this.pollInterval = pollInterval;
  }

  /** A worker that has not answered (Info or heartbeat) for this long leaves routing; its sessions fail. */
  public Duration getWorkerTimeout() {
    return workerTimeout;
  }

  public void setWorkerTimeout(Duration workerTimeout) {
    this.workerTimeout = workerTimeout;
  }

  /** KV budget per worker the controller admits against (bytes, or 512MB, 2GB); 0 = what the worker reports. */
  public long getWorkerKvBytes() {
    return workerKvBytes;
  }

  public void setWorkerKvBytes(@ReadableBytes long workerKvBytes) {
    this.workerKvBytes = workerKvBytes;
  }

  /** Response length when the request leaves gen_length unset. */
  public int getDefaultGenLength() {
    return defaultGenLength;
  }

  public void setDefaultGenLength(int defaultGenLength) {
    this.defaultGenLength = defaultGenLength;
  }

  /** Longest a session may run (a client deadline that is sooner wins); then DEADLINE_EXCEEDED. */
  public Duration getSessionTimeout() {
    return sessionTimeout;
  }

  public void setSessionTimeout(Duration sessionTimeout) {
    this.sessionTimeout = sessionTimeout;
  }

  /** Longest one step may take on one shard before the shard counts as lost (UNAVAILABLE). */
  public Duration getStepTimeout() {
    return stepTimeout;
  }

  public void setStepTimeout(Duration stepTimeout) {
    this.stepTimeout = stepTimeout;
  }

  /** On shutdown, how long running sessions may go on before they are ended with UNAVAILABLE. */
  public Duration getDrainTimeout() {
    return drainTimeout;
  }

  public void setDrainTimeout(Duration drainTimeout) {
    this.drainTimeout = drainTimeout;
  }

  /** Sessions admitted (holding KV leases) at once; more wait in the admission queue. */
  public int getMaxSessions() {
    return maxSessions;
  }

  public void setMaxSessions(int maxSessions) {
    this.maxSessions = maxSessions;
  }

  /** Sessions that may wait for KV room at once (FIFO); one more is refused with RESOURCE_EXHAUSTED. */
  public int getQueueSize() {
    return queueSize;
  }

  public void setQueueSize(int queueSize) {
    this.queueSize = queueSize;
  }

  /** How long a session waits in the admission queue before RESOURCE_EXHAUSTED. */
  public Duration getQueueTimeout() {
    return queueTimeout;
  }

  public void setQueueTimeout(Duration queueTimeout) {
    this.queueTimeout = queueTimeout;
  }

  public DefaultCache getDefaultCache() {
    return defaultCache;
  }

  public void setDefaultCache(DefaultCache defaultCache) {
    this.defaultCache = defaultCache;
  }

  public Registration getRegistration() {
    return registration;
  }

  public void setRegistration(Registration registration) {
    this.registration = registration;
  }

  public Auth getAuth() {
    return auth;
  }

  public void setAuth(Auth auth) {
    this.auth = auth;
  }

  /** Sessions one API token may run or queue at once; 0 = no limit beyond max-sessions. */
  public int getMaxSessionsPerToken() {
    return maxSessionsPerToken;
  }

  public void setMaxSessionsPerToken(int maxSessionsPerToken) {
    this.maxSessionsPerToken = maxSessionsPerToken;
  }

  /** Longest prompt accepted, in tokens; 0 = the model's positions. */
  public int getMaxPromptTokens() {
    return maxPromptTokens;
  }

  public void setMaxPromptTokens(int maxPromptTokens) {
    this.maxPromptTokens = maxPromptTokens;
  }

  /**
   * Added to step-timeout per token a step feeds, times the sessions sharing the worker: a step over a 64k prompt on
   * a busy worker may take far longer than a decoding step on an idle one, and neither should count as lost.
   */
  public Duration getStepTimeoutPerToken() {
    return stepTimeoutPerToken;
  }

  public void setStepTimeoutPerToken(Duration stepTimeoutPerToken) {
    this.stepTimeoutPerToken = stepTimeoutPerToken;
  }

  /** How many times one session may move to another worker group after losing a worker. */
  public int getMaxReplays() {
    return maxReplays;
  }

  public void setMaxReplays(int maxReplays) {
    this.maxReplays = maxReplays;
  }

  public Embedded getEmbedded() {
    return embedded;
  }

  public void setEmbedded(Embedded embedded) {
    this.embedded = embedded;
  }

  /**
   * Credentials ({@code maskkv.auth.*}): {@code api-token} ({@code MASKKV_AUTH_API_TOKEN}, or the
   * {@code MASKKV_API_TOKEN} the application.yml maps to it), {@code api-tokens-file}, {@code cluster-secret}
   * ({@code MASKKV_CLUSTER_SECRET}), {@code cluster-secret-file}, and the PEM files of mutual TLS to the workers.
   */
  @ConfigurationProperties("auth")
  public static class Auth {
    private String apiToken;
    private String apiTokensFile;
    private String clusterSecret;
    private String clusterSecretFile;
    private String clusterTlsCert;
    private String clusterTlsKey;
    private String clusterTlsCa;
    private boolean allowInsecure;

    public String getApiToken() {
      return apiToken;
    }

    public void setApiToken(String apiToken) {
      this.apiToken = apiToken;
    }

    public String getApiTokensFile() {
      return apiTokensFile;
    }

    public void setApiTokensFile(String apiTokensFile) {
      this.apiTokensFile = apiTokensFile;
    }

    public String getClusterSecret() {
      return clusterSecret;
    }

    public void setClusterSecret(String clusterSecret) {
      this.clusterSecret = clusterSecret;
    }

    public String getClusterSecretFile() {
      return clusterSecretFile;
    }

    public void setClusterSecretFile(String clusterSecretFile) {
      this.clusterSecretFile = clusterSecretFile;
    }

    public String getClusterTlsCert() {
      return clusterTlsCert;
    }

    public void setClusterTlsCert(String clusterTlsCert) {
      this.clusterTlsCert = clusterTlsCert;
    }

    public String getClusterTlsKey() {
      return clusterTlsKey;
    }

    public void setClusterTlsKey(String clusterTlsKey) {
      this.clusterTlsKey = clusterTlsKey;
    }

    public String getClusterTlsCa() {
      return clusterTlsCa;
    }

    public void setClusterTlsCa(String clusterTlsCa) {
      this.clusterTlsCa = clusterTlsCa;
    }

    /** Serve beyond loopback without credentials (a trusted network only). */
    public boolean isAllowInsecure() {
      return allowInsecure;
    }

    public void setAllowInsecure(boolean allowInsecure) {
      this.allowInsecure = allowInsecure;
    }
  }

  /** The cache policy of a request that names none ({@code maskkv.default-cache.*}). */
  @ConfigurationProperties("default-cache")
  public static class DefaultCache {
    private String method = "maskkv";
    private int budget = 256;

    public String getMethod() {
      return method;
    }

    public void setMethod(String method) {
      this.method = method;
    }

    public int getBudget() {
      return budget;
    }

    public void setBudget(int budget) {
      this.budget = budget;
    }
  }

  /** Workers that join by themselves ({@code maskkv.registration.*}). */
  @ConfigurationProperties("registration")
  public static class Registration {
    private boolean enabled = true;
    private Duration heartbeatInterval = Duration.ofSeconds(2);

    public boolean isEnabled() {
      return enabled;
    }

    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }

    /** Heartbeat period asked of registered workers; one missing for worker-timeout removes the worker. */
    public Duration getHeartbeatInterval() {
      return heartbeatInterval;
    }

    public void setHeartbeatInterval(Duration heartbeatInterval) {
      this.heartbeatInterval = heartbeatInterval;
    }
  }

  /** The in-process worker of the embedded mode ({@code maskkv.embedded.*}). */
  @ConfigurationProperties("embedded")
  public static class Embedded {
    private boolean enabled;
    private String model = "models/maskkv-tiny";
    private String device = "cpu";
    private int maxBatchRows = 8192;
    private boolean chunkedPrefill = true;
    private long kvBytes = 2L << 30;
    private int workers = 1;
    private String dtype = "auto";

    /** Start a worker holding all layers of {@link #getModel()} inside the controller. */
    public boolean isEnabled() {
      return enabled;
    }

    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }

    public String getModel() {
      return model;
    }

    public void setModel(String model) {
      this.model = model;
    }

    /** cpu, cuda or cuda:N. */
    public String getDevice() {
      return device;
    }

    public void setDevice(String device) {
      this.device = device;
    }

    /** KV capacity of the embedded worker. */
    public long getKvBytes() {
      return kvBytes;
    }

    /** Fed rows per batched forward of the embedded worker's step scheduler. */
    public int getMaxBatchRows() {
      return maxBatchRows;
    }

    public void setMaxBatchRows(int maxBatchRows) {
      this.maxBatchRows = maxBatchRows;
    }

    /** Long prefills run a few layers per scheduler iteration instead of whole. */
    public boolean isChunkedPrefill() {
      return chunkedPrefill;
    }

    public void setChunkedPrefill(boolean chunkedPrefill) {
      this.chunkedPrefill = chunkedPrefill;
    }

    public void setKvBytes(@ReadableBytes long kvBytes) {
      this.kvBytes = kvBytes;
    }

    /** Weight precision of the embedded worker: auto (the checkpoint's on CUDA, fp32 on CPU), fp32, bf16, fp16. */
    public String getDtype() {
      return dtype;
    }

    public void setDtype(String dtype) {
      this.dtype = dtype;
    }

    /**
     * Whole-model embedded workers, each with its own copy of the weights, compute thread and {@code kv-bytes}
     * (replica groups): on a CPU box, N workers with one intra-op thread each keep N cores busy with N sessions'
     * steps instead of one worker's parallel regions waiting for each other.
     */
    public int getWorkers() {
      return workers;
    }

    public void setWorkers(int workers) {
      if (workers < 1) {
        throw new IllegalArgumentException("maskkv.embedded.workers must be at least 1, got " + workers);
      }
      this.workers = workers;
    }
  }
}
