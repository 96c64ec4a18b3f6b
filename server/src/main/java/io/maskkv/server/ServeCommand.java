package io.maskkv.server;

import io.maskkv.controller.ControllerServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "serve", mixinStandardHelpOptions = true,
    description = {"Run the controller: the public gRPC API (maskkv.v1.GenerationService) on --port.",
        "By default it embeds a worker holding every layer of --model (one process); with --workers or --dns it "
            + "routes to external workers (./maskkv worker), which may also join by themselves.",
        "Any other setting: -Dmaskkv.KEY=VALUE or the environment (see README, Serving)."})
public final class ServeCommand implements Callable<Integer> {
  @Option(names = "--model", defaultValue = "models/maskkv-tiny",
      description = "model folder of the embedded worker (default: ${DEFAULT-VALUE})")
  Path model;

  @Option(names = "--device", defaultValue = "cpu", description = "device of the embedded worker: cpu, cuda, cuda:N")
  String device;

  @Option(names = "--port", defaultValue = "50051", description = "gRPC port (default: ${DEFAULT-VALUE})")
  int port;

  @Option(names = "--http-port", defaultValue = "8080",
      description = "HTTP port of the OpenAI-compatible API and the playground at / (default: ${DEFAULT-VALUE})")
  int httpPort;

  @Option(names = "--host", defaultValue = "127.0.0.1",
      description = "address to bind (default: ${DEFAULT-VALUE}, this machine only; 0.0.0.0 = every interface, which "
          + "needs MASKKV_API_TOKEN and MASKKV_CLUSTER_SECRET, or --allow-insecure)")
  String host;

  @Option(names = "--tls-cert", description = "PEM certificate chain of the public APIs, gRPC and HTTP (turns TLS on "
      + "for both)")
  String tlsCert;

  @Option(names = "--tls-key", description = "PEM private key of --tls-cert")
  String tlsKey;

  @Option(names = "--tls-dev", description = "TLS with a development certificate: writes a CA and a certificate for "
      + "localhost into this folder on first start (reused later); clients trust FOLDER/ca.pem. Not for production")
  java.nio.file.Path tlsDev;

  @Option(names = "--api-tokens-file", description = "file with the API tokens clients may use, one per line "
      + "(or one token in MASKKV_API_TOKEN)")
  String apiTokensFile;

  @Option(names = "--allow-insecure", description = "serve beyond loopback without credentials (a trusted network "
      + "only)")
  boolean allowInsecure;

  @Option(names = "--workers", split = ",", description = "external workers, host:port,... (turns embedding off)")
  List<String> workers;

  @Option(names = "--dns", split = ",", description = "DNS names of workers, name:port,... (turns embedding off)")
  List<String> dns;

  @Option(names = "--embedded", negatable = true,
      description = "embed a worker (default: on unless --workers or --dns is given); --no-embedded waits for "
          + "workers that register themselves")
  Boolean embedded;

  @Option(names = "--dtype", defaultValue = "auto", description = "weight precision of the embedded worker: auto "
      + "(the checkpoint's on CUDA, fp32 on CPU), fp32, bf16, fp16")
  String dtype;

  @Option(names = "--kv-bytes", defaultValue = "2GB", description = "KV capacity of the embedded worker")
  String kvBytes;

  @Option(names = "--worker-kv-bytes", description = "KV budget admitted per worker (default: what each reports)")
  String workerKvBytes;

  @Option(names = "--default-cache", description = "cache method of requests that name none (default: maskkv)")
  String defaultCache;

  @Option(names = "--default-budget", description = "budget of requests that name none (default: 256)")
  Integer defaultBudget;

  @picocli.CommandLine.Mixin
  ThreadFlags threads;

  @picocli.CommandLine.Mixin
  EmbeddedWorkerFlags embeddedWorkers;

  @Override
  public Integer call() throws InterruptedException {
    threads.apply();
    boolean external = (workers != null && !workers.isEmpty()) || (dns != null && !dns.isEmpty());
    boolean embed = embedded != null ? embedded : !external;
    model = Installation.resolve(model);
    Map<String, Object> p = new HashMap<>();
    p.put("grpc.server.port", port);
    p.put("grpc.server.host", host);
    if (tlsDev != null) {
      java.nio.file.Path cert = tlsDev.resolve("controller.pem");
      java.nio.file.Path key = tlsDev.resolve("controller-key.pem");
      if (!Files.exists(cert) || !Files.exists(key)) {
        DevCertificates.write(tlsDev, List.of("controller"), List.of());
        System.err.println("maskkv: wrote a development CA and certificate to " + tlsDev + " (clients: --tls-ca "
            + tlsDev.resolve("ca.pem") + ")");
      }
      tlsCert = cert.toString();
      tlsKey = key.toString();
    }
    if (tlsCert != null || tlsKey != null) {
      if (tlsCert == null || tlsKey == null) {
        throw new IllegalArgumentException("TLS needs both --tls-cert and --tls-key");
      }
      p.put("grpc.server.ssl.cert-chain", "file:" + tlsCert);
      p.put("grpc.server.ssl.private-key", "file:" + tlsKey);
      p.putAll(httpsProperties(java.nio.file.Path.of(tlsCert), java.nio.file.Path.of(tlsKey), httpPort));
    }
    if (apiTokensFile != null) {
      p.put("maskkv.auth.api-tokens-file", apiTokensFile);
    }
    if (allowInsecure) {
      p.put("maskkv.auth.allow-insecure", true);
    }
    p.put("maskkv.http-port", httpPort);
    p.put("maskkv.http-host", host);
    p.put("maskkv.embedded.enabled", embed);
    if (embed) {
      if (!Files.isDirectory(model)) {
        throw new IllegalArgumentException("model folder " + model + " not found: pass --model DIR, or write the "
            + "small model first: ./maskkv make-model --arch llada --out " + model
            + " --layers 4 --d-model 256 --heads 8");
      }
      p.put("maskkv.embedded.model", model.toString());
      p.put("maskkv.embedded.device", device);
      p.put("maskkv.embedded.kv-bytes", kvBytes);
      p.put("maskkv.embedded.dtype", dtype);
      embeddedWorkers.putInto(p);
    }
    if (workers != null) {
      p.put("maskkv.workers", workers);
    }
    if (dns != null) {
      p.put("maskkv.dns", dns);
    }
    if (workerKvBytes != null) {
      p.put("maskkv.worker-kv-bytes", workerKvBytes);
    }
    if (defaultCache != null) {
      p.put("maskkv.default-cache.method", defaultCache);
    }
    if (defaultBudget != null) {
      p.put("maskkv.default-cache.budget", defaultBudget);
    }
    ControllerServer server = ControllerServer.start(p);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      System.err.println("maskkv: draining and stopping...");
      server.close();
      stopped.countDown();
    }, "maskkv-shutdown"));
    System.err.printf("maskkv HTTP API (OpenAI-compatible) and playground on http://%s:%d/%n", host,
        server.httpPort().orElse(-1));
    System.err.printf("maskkv controller listening on %s:%d (%s); Ctrl-C drains and stops%n",
        host, server.port(),
        embed ? "embedded worker: " + model : "external workers");
    stopped.await();
    return 0;
  }

  /** The same pair on the HTTP port: Micronaut's HTTPS listener takes the port and a PKCS#12 key store. */
  static Map<String, Object> httpsProperties(java.nio.file.Path cert, java.nio.file.Path key, int httpPort) {
    char[] password = java.util.UUID.randomUUID().toString().toCharArray();
    java.nio.file.Path store = PemKeyStore.write(cert, key, password);
    Map<String, Object> p = new HashMap<>();
    p.put("micronaut.server.ssl.enabled", true);
    p.put("micronaut.server.ssl.build-self-signed", false);
    p.put("micronaut.server.ssl.port", httpPort == 0 ? -1 : httpPort);
    p.put("micronaut.server.ssl.key-store.path", "file:" + store);
    p.put("micronaut.server.ssl.key-store.password", new String(password));
    p.put("micronaut.server.ssl.key-store.type", "PKCS12");
    p.put("micronaut.server.ssl.key.alias", PemKeyStore.ALIAS);
    p.put("micronaut.server.ssl.key.password", new String(password));
    return p;
  }
}
