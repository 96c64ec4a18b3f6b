package io.maskkv.controller;

import io.grpc.StatusRuntimeException;
import io.maskkv.common.model.ModelConfig;
import io.maskkv.common.model.ModelConfigJson;
import io.maskkv.common.text.PromptTemplates;
import io.maskkv.common.text.TextTokenizer;
import io.maskkv.proto.v1.FileChunk;
import io.maskkv.proto.v1.ModelFilesRequest;
import io.maskkv.proto.v1.WorkerInfo;
import io.maskkv.proto.v1.WorkerServiceGrpc;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The models the controller serves. The controller needs no copy of a model folder: the first time a model is
 * asked for, it fetches config.json, tokenizer.json, tokenizer_config.json and generation_config.json from a worker that serves it (into a temporary folder,
 * deleted at shutdown) and takes the layer profile from the worker's Info.
 */
@Singleton
public class ModelCatalog implements AutoCloseable {
  private final Map<String, ServedModel> models = new ConcurrentHashMap<>();
  private final Path root;

  public ModelCatalog() {
    try {
      root = Files.createTempDirectory("maskkv-controller-models");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The model as the given worker (healthy, serving it) describes it; fetched once per name. */
  public ServedModel get(WorkerNode from) {
    WorkerInfo info = from.info();
    return models.computeIfAbsent(info.getModel(), name -> fetch(name, from));
  }

  private ServedModel fetch(String name, WorkerNode from) {
    Path dir = root.resolve(name.replaceAll("[^A-Za-z0-9._-]", "_"));
    try {
      Files.createDirectories(dir);
      Map<String, OutputStream> open = new HashMap<>();
      try {
        Iterator<FileChunk> chunks = WorkerServiceGrpc.newBlockingStub(from.channel())
            .withDeadlineAfter(60, TimeUnit.SECONDS).modelFiles(ModelFilesRequest.getDefaultInstance());
        while (chunks.hasNext()) {
          FileChunk c = chunks.next();
          String file = Path.of(c.getName()).getFileName().toString();
          OutputStream out = open.computeIfAbsent(file, f -> {
            try {
              return Files.newOutputStream(dir.resolve(f));
            } catch (IOException e) {
              throw new UncheckedIOException(e);
            }
          });
          c.getData().writeTo(out);
        }
      } finally {
        for (OutputStream o : open.values()) {
          o.close();
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("model " + name + ": cannot store its files: " + e.getMessage(), e);
    } catch (StatusRuntimeException e) {
      throw new IllegalStateException("model " + name + ": worker " + from.id() + " did not send its files: "
          + e.getStatus(), e);
    }
    ModelConfig config = ModelConfigJson.read(dir);
    TextTokenizer tokenizer = Files.exists(dir.resolve("tokenizer.json")) ? TextTokenizer.load(dir) : null;
    WorkerInfo info = from.info();
    double[] profile = info.getLayerProfileList().stream().mapToDouble(Double::doubleValue).toArray();
    return new ServedModel(name, config, tokenizer, PromptTemplates.load(dir, config.family()), profile,
        info.getHasProfile());
  }

  /** Models fetched so far. */
  public List<ServedModel> loaded() {
    return List.copyOf(models.values());
  }

  @PreDestroy
  @Override
  public void close() {
    for (ServedModel m : models.values()) {
      if (m.tokenizer() != null) {
        m.tokenizer().close();
      }
    }
    models.clear();
    try (Stream<Path> files = Files.walk(root)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // a temporary folder
    }
  }
}
