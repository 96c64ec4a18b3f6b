package io.maskkv.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The layering docs/architecture.md draws, checked on the sources: worker packages point one way (engine ← evict ←
 * kv ← session ← grpc ← metrics), the controller reaches worker code from one file (the embedded worker), and common knows
 * no PyTorch engine and no Micronaut.
 */
class LayeringTest {
  private static final List<String> WORKER_LAYERS = List.of("checkpoint", "engine", "evict", "kv", "session", "grpc", "metrics");
  private static final Pattern IMPORT = Pattern.compile("(?m)^import (?:static )?([\\w.]+)");

  private static Path root() {
    Path here = Path.of("").toAbsolutePath();
    return Files.isDirectory(here.resolve("worker")) ? here : here.getParent();
  }

  private static List<Path> sources(Path dir) {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(p -> p.toString().endsWith(".java")).toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<String> imports(Path file) {
    try {
      Matcher m = IMPORT.matcher(Files.readString(file));
      List<String> out = new ArrayList<>();
      while (m.find()) {
        out.add(m.group(1));
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void workerPackagesOnlyImportLowerLayers() {
    Path base = root().resolve("worker/src/main/java/io/maskkv/worker");
    List<String> violations = new ArrayList<>();
    for (Path f : sources(base)) {
      String pkg = base.relativize(f).getName(0).toString();
      int level = WORKER_LAYERS.indexOf(pkg);
      assertTrue(level >= 0, "package worker." + pkg + " has no place in the layering");
      for (String imp : imports(f)) {
        if (imp.startsWith("io.maskkv.worker.")) {
          String target = imp.substring("io.maskkv.worker.".length()).split("\\.")[0];
          if (WORKER_LAYERS.indexOf(target) > level) {
            violations.add(base.relativize(f) + " imports " + imp);
          }
        }
      }
    }
    assertEquals(List.of(), violations);
  }

  @Test
  void theControllerReachesWorkerCodeOnlyForTheEmbeddedWorker() {
    TreeSet<String> files = new TreeSet<>();
    for (Path f : sources(root().resolve("controller/src/main/java"))) {
      if (imports(f).stream().anyMatch(i -> i.startsWith("io.maskkv.worker"))) {
        files.add(f.getFileName().toString());
      }
    }
    assertEquals(new TreeSet<>(List.of("EmbeddedWorker.java")), files);
  }

  @Test
  void commonKnowsNoEngineAndNoMicronaut() {
    List<String> violations = new ArrayList<>();
    for (Path f : sources(root().resolve("common/src/main/java"))) {
      for (String imp : imports(f)) {
        boolean djl = imp.startsWith("ai.djl.") && !imp.startsWith("ai.djl.huggingface.tokenizers.");
        if (djl || imp.startsWith("io.micronaut") || imp.startsWith("io.maskkv.worker")
            || imp.startsWith("io.maskkv.controller")) {
          violations.add(f.getFileName() + " imports " + imp);
        }
      }
    }
    assertEquals(List.of(), violations);
  }
}
