package io.maskkv.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micronaut.context.ApplicationContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * What can be checked of the deployment files without a Docker engine or a cluster: every YAML file parses, the
 * compose stack and the Kubernetes manifests are wired consistently (images, ports, layer ranges covering the
 * model, probes on gRPC health), and the configuration keys they use bind to the controller's settings.
 */
class DeployFilesTest {
  static final Path ROOT = root();
  static final int MODEL_LAYERS = 4; // the bundled model the images serve

  static Path root() {
    String fixtures = System.getProperty("maskkv.fixtures");
    Path r = fixtures != null ? Path.of(fixtures).getParent() : Path.of("..");
    return r.toAbsolutePath().normalize();
  }

  @SuppressWarnings("unchecked")
  static List<Map<String, Object>> load(Path file) throws IOException {
    List<Map<String, Object>> docs = new ArrayList<>();
    for (Object d : new Yaml().loadAll(Files.readString(file))) {
      if (d != null) {
        assertTrue(d instanceof Map, file + ": every document is a mapping");
        docs.add((Map<String, Object>) d);
      }
    }
    return docs;
  }

  @SuppressWarnings("unchecked")
  static <T> T at(Object node, String... path) {
    Object o = node;
    for (String p : path) {
      assertTrue(o instanceof Map, "no mapping at " + p);
      o = ((Map<String, Object>) o).get(p);
      assertNotNull(o, "missing key " + p);
    }
    return (T) o;
  }

  @Test
  void everyYamlFileParses() throws IOException {
    List<Path> files;
    try (Stream<Path> s = Files.walk(ROOT)) {
      files = s.filter(p -> p.toString().matches(".*\\.ya?ml$"))
          .filter(p -> !p.toString().contains("/target/") && !p.toString().contains("/.git/")).toList();
    }
    assertTrue(files.contains(ROOT.resolve("docker-compose.yml")), "found " + files);
    assertTrue(files.stream().filter(p -> p.startsWith(ROOT.resolve("deploy/k8s"))).count() >= 3);
    for (Path f : files) {
      assertFalse(load(f).isEmpty(), f + " is empty");
    }
  }

  /** The layer ranges of one group, checked to tile [0, layers). */
  static void assertCovers(String what, List<String> ranges) {
    ranges = new ArrayList<>(ranges);
    ranges.sort((a, b) -> Integer.parseInt(a.split(":")[0]) - Integer.parseInt(b.split(":")[0]));
    int at = 0;
    for (String r : ranges) {
      String[] p = r.split(":");
      assertEquals(at, Integer.parseInt(p[0]), what + ": layer ranges " + ranges + " leave a gap or overlap");
      at = Integer.parseInt(p[1]);
    }
    assertEquals(MODEL_LAYERS, at, what + ": layer ranges " + ranges + " do not reach the last layer");
  }

  static String option(List<Object> args, String name) {
    int i = args.indexOf(name);
    return i < 0 ? null : (String) args.get(i + 1);
  }

  @Test
  void composeStackHasAControllerAndTwoGroupsOfShardsCoveringTheModel() throws IOException {
    Map<String, Object> compose = load(ROOT.resolve("docker-compose.yml")).get(0);
    Map<String, Object> services = at(compose, "services");
    Set<String> dockerTargets = dockerfileTargets();
    Map<String, Object> controller = at(services, "controller");
    assertTrue(dockerTargets.contains((String) at(controller, "build", "target")));
    assertTrue(Files.exists(ROOT.resolve((String) at(controller, "build", "dockerfile"))));
    Map<String, Object> env = at(controller, "environment");
    String port = String.valueOf(env.get("GRPC_SERVER_PORT"));
    assertTrue(((List<Object>) at(controller, "ports")).contains(port + ":" + port));
    Map<String, List<String>> groups = new TreeMap<>();
    Set<String> staticWorkers = Set.of(((String) env.get("MASKKV_WORKERS")).split(","));
    Set<String> found = new HashSet<>();
    for (Map.Entry<String, Object> e : services.entrySet()) {
      if (e.getKey().equals("controller") || !((Map<String, Object>) e.getValue()).containsKey("build")) {
        continue; // the controller, and the metrics services (Prometheus, Grafana) built from public images
      }
      assertTrue(dockerTargets.contains((String) at(e.getValue(), "build", "target")), e.getKey());
      List<Object> args = at(e.getValue(), "command");
      for (Object a : args) {
        assertTrue(a instanceof String, e.getKey() + ": argument " + a + " must be a string (quote 2:4 in YAML)");
      }
      assertEquals("worker", args.get(0));
      String advertise = option(args, "--advertise");
      assertEquals(e.getKey() + ":" + option(args, "--port"), advertise, "a worker advertises its service name");
      String joins = option(args, "--controller");
      if (joins != null) {
        assertEquals("controller:" + port, joins);
      } else {
        assertTrue(staticWorkers.contains(advertise), e.getKey() + " is neither static nor self-registering");
      }
      found.add(advertise);
      groups.computeIfAbsent(option(args, "--group"), g -> new ArrayList<>()).add(option(args, "--layer-range"));
    }
    assertTrue(found.containsAll(staticWorkers), "MASKKV_WORKERS names services that exist");
    assertEquals(2, groups.size(), "two replica groups");
    groups.forEach((g, ranges) -> {
      assertEquals(2, ranges.size(), "group " + g + " has two shards");
      assertCovers("group " + g, ranges);
    });
  }

  static Set<String> dockerfileTargets() throws IOException {
    Set<String> targets = new HashSet<>();
    Matcher m = Pattern.compile("(?m)^FROM\\s+\\S+\\s+AS\\s+(\\S+)").matcher(
        Files.readString(ROOT.resolve("deploy/Dockerfile")));
    while (m.find()) {
      targets.add(m.group(1));
    }
    assertTrue(targets.containsAll(Set.of("controller", "worker")), "Dockerfile targets " + targets);
    return targets;
  }

  @Test
  void kubernetesManifestsWireTheControllerToHeadlessShardServicesWithGrpcProbes() throws IOException {
    Map<String, Map<String, Object>> deployments = new TreeMap<>();
    Map<String, Map<String, Object>> services = new TreeMap<>();
    Path k8s = ROOT.resolve("deploy/k8s");
    List<String> resources = at(load(k8s.resolve("kustomization.yaml")).get(0), "resources");
    for (String r : resources) {
      for (Map<String, Object> d : load(k8s.resolve(r))) {
        assertNotNull(d.get("apiVersion"), r);
        String name = at(d, "metadata", "name");
        switch ((String) at(d, "kind")) {
          case "Deployment", "StatefulSet" -> deployments.put(name, d);
          case "Service" -> services.put(name, d);
          default -> throw new AssertionError(r + ": unexpected kind " + d.get("kind"));
        }
      }
    }
    List<String> ranges = new ArrayList<>();
    for (Map.Entry<String, Map<String, Object>> e : deployments.entrySet()) {
      Map<String, Object> d = e.getValue();
      assertEquals((Object) at(d, "spec", "selector", "matchLabels"),
          (Object) at(d, "spec", "template", "metadata", "labels"));
      List<Map<String, Object>> containers = at(d, "spec", "template", "spec", "containers");
      Map<String, Object> c = containers.get(0);
      List<Map<String, Object>> ports = at(c, "ports");
      int port = (Integer) ports.get(0).get("containerPort");
      assertEquals(port, (Integer) at(c, "readinessProbe", "grpc", "port"), e.getKey() + ": readiness on gRPC health");
      List<Object> args = at(c, "args");
      if (args.get(0).equals("worker")) {
        ranges.add(option(args, "--layer-range"));
        assertEquals("$(POD_IP):" + option(args, "--port"), option(args, "--advertise"));
        assertEquals("maskkv.v1.WorkerService", at(c, "readinessProbe", "grpc", "service"));
        Map<String, Object> headless = services.get(e.getKey());
        assertNotNull(headless, e.getKey() + " has a Service of its name");
        assertEquals("None", at(headless, "spec", "clusterIP"));
        assertEquals((Object) at(d, "spec", "template", "metadata", "labels"),
            (Object) at(headless, "spec", "selector"));
      } else {
        assertEquals("controller", args.get(0));
        List<Map<String, Object>> env = at(c, "env");
        String dns = env.stream().filter(v -> v.get("name").equals("MASKKV_DNS")).map(v -> (String) v.get("value"))
            .findFirst().orElseThrow();
        for (String entry : dns.split(",")) {
          String[] hp = entry.split(":");
          assertTrue(services.containsKey(hp[0]), "MASKKV_DNS names Service " + hp[0]);
        }
      }
    }
    assertCovers("shard tiers", ranges);
    assertTrue(services.containsKey("maskkv-controller"));
  }

  @Test
  void theConfigurationKeysTheDeploymentsUseBindToTheControllerSettings() {
    try (ApplicationContext ctx = ApplicationContext.builder().deduceCloudEnvironment(false).properties(Map.of(
        "maskkv.workers", "worker-a0:7070,worker-a1:7070", "maskkv.dns", "maskkv-shard-0:7070",
        "maskkv.worker-kv-bytes", "1GB", "maskkv.default-cache.method", "snapkv",
        "maskkv.default-cache.budget", "128", "maskkv.drain-timeout", "30s",
        // what the deployments take from their secrets (MASKKV_CLUSTER_SECRET, MASKKV_API_TOKEN)
        "maskkv.auth.cluster-secret", "0123456789abcdef0123",
        "maskkv.auth.api-token", "api-token-0123456789")).start()) {
      ControllerConfig c = ctx.getBean(ControllerConfig.class);
      assertEquals(List.of("worker-a0:7070", "worker-a1:7070"), c.getWorkers());
      assertEquals(List.of("maskkv-shard-0:7070"), c.getDns());
      assertEquals(1L << 30, c.getWorkerKvBytes());
      assertEquals("snapkv", c.getDefaultCache().getMethod());
      assertEquals(128, c.getDefaultCache().getBudget());
      assertEquals(30, c.getDrainTimeout().toSeconds());
      assertEquals(2L << 30, c.getEmbedded().getKvBytes(), "application.yml's 2GB");
      Security security = ctx.getBean(Security.class);
      assertTrue(security.cluster().secured());
      assertTrue(security.apiTokens().orElseThrow().check("Bearer api-token-0123456789").isPresent());
    }
  }

  @Test
  @SuppressWarnings("unchecked")
  void composeRunsPrometheusOnTheControllersSeriesAndGrafanaWithTheDashboard() throws IOException {
    Map<String, Object> services = at(load(ROOT.resolve("docker-compose.yml")).get(0), "services");
    Map<String, Object> controller = at(services, "controller");
    assertTrue(((List<Object>) at(controller, "ports")).contains("8080:8080"), "the HTTP port is published");
    Map<String, Object> scrape = ((List<Map<String, Object>>) at(load(ROOT.resolve("deploy/prometheus.yml")).get(0),
        "scrape_configs")).get(0);
    assertEquals("/prometheus", scrape.get("metrics_path"));
    assertEquals(List.of("controller:8080"), ((List<Map<String, Object>>) scrape.get("static_configs")).get(0)
        .get("targets"));
    for (String service : List.of("prometheus", "grafana")) {
      for (Object volume : (List<Object>) at(services, service, "volumes")) {
        Path local = ROOT.resolve(((String) volume).split(":")[0]);
        assertTrue(Files.exists(local), service + " mounts " + local + ", which must exist");
      }
    }
    String dashboard = Files.readString(ROOT.resolve("deploy/grafana/dashboards/maskkv.json"));
    Map<String, Object> json = (Map<String, Object>) new Yaml().load(dashboard); // JSON is YAML
    List<Map<String, Object>> panels = (List<Map<String, Object>>) json.get("panels");
    assertTrue(panels.size() >= 5);
    Matcher m = Pattern.compile("maskkv_[a-z_]+").matcher(dashboard);
    Set<String> series = new HashSet<>();
    while (m.find()) {
      series.add(m.group().replaceAll("_(total|bucket|sum|count)$", ""));
    }
    assertTrue(series.containsAll(Set.of("maskkv_sessions_active", "maskkv_sessions_started", "maskkv_sessions_ended",
        "maskkv_steps", "maskkv_tokens", "maskkv_step_latency_seconds", "maskkv_ttft_seconds",
        "maskkv_kv_kept_bytes", "maskkv_kv_full_bytes", "maskkv_worker_kv_used_bytes", "maskkv_worker_kv_free_bytes",
        "maskkv_worker_sessions")), "the dashboard plots " + series);
    // every worker serves its series, and Prometheus scrapes each of them
    List<Object> workerTargets = (List<Object>) ((List<Map<String, Object>>) ((List<Map<String, Object>>) at(
        load(ROOT.resolve("deploy/prometheus.yml")).get(0), "scrape_configs")).get(1).get("static_configs")).get(0)
        .get("targets");
    for (Map.Entry<String, Object> e : services.entrySet()) {
      if (e.getKey().startsWith("worker-")) {
        List<Object> args = at(e.getValue(), "command");
        assertTrue(workerTargets.contains(e.getKey() + ":" + option(args, "--metrics-port")), e.getKey());
      }
    }
  }
}
