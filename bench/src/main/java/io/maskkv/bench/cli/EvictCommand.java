package io.maskkv.bench.cli;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.maskkv.common.budget.EvictionDecision;
import io.maskkv.common.decode.GenerationOptions;
import io.maskkv.common.io.Bytes;
import io.maskkv.server.Ids;
import io.maskkv.server.ModelOptions;
import io.maskkv.worker.engine.Devices;
import io.maskkv.worker.engine.Transformer;
import io.maskkv.worker.kv.CompressedPromptCache;
import io.maskkv.worker.kv.StepCaches;
import io.maskkv.worker.kv.StepPlan;
import io.maskkv.worker.session.Generator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.IntStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "evict", mixinStandardHelpOptions = true,
    description = "Run the first denoising step with an eviction method and write its decisions as JSON.")
public final class EvictCommand implements Callable<Integer> {
  @Mixin
  ModelOptions model;

  @Option(names = "--ids", required = true, description = "prompt token ids, comma-separated")
  String ids;

  @Option(names = "--gen-length", defaultValue = "32",
      description = "response length whose mask rows vote (default: ${DEFAULT-VALUE})")
  int genLength;

  @Option(names = "--method", defaultValue = "maskkv",
      description = "eviction method, as --cache elsewhere: maskkv, snapkv, ..., or scorer+allocator")
  String method;

  @Option(names = "--budget", defaultValue = "256", description = "prompt KV pairs kept per head per layer on average")
  int budget;

  @Option(names = "--seed", defaultValue = "42", description = "seed of the random scorer")
  long seed;

  @Option(names = "--out", required = true, description = "JSON file of the decisions")
  Path out;

  @Override
  public Integer call() throws Exception {
    int[] prompt = Ids.parse(ids);
    if (prompt.length == 0) {
      throw new IllegalArgumentException("--ids is empty");
    }
    GenerationOptions o = GenerationOptions.builder().genLength(genLength).cache(method, budget).seed(seed)
        .earlyStop(false).build().validated();
    List<EvictionDecision> decisions = new ArrayList<>();
    int total = prompt.length + genLength;
    long held;
    try (Transformer t = Transformer.load(model.model, Devices.parse(model.device));
        NDManager session = t.manager().newSubManager();
        CompressedPromptCache cache = StepCaches.compressed(Generator.plan(t, o, prompt.length), t, total, session,
            decisions::add)) {
      int[] x = Arrays.copyOf(prompt, total);
      Arrays.fill(x, prompt.length, total, t.config().maskTokenId());
      StepPlan plan = cache.plan(prompt.length, total, true);
      try (NDManager step = session.newSubManager()) {
        t.layers(t.embed(x, step), IntStream.range(0, total).toArray(), plan.view(), null, step);
      }
      held = cache.bytes();
    }
    ObjectMapper json = new ObjectMapper();
    ObjectNode root = json.createObjectNode();
    root.put("method", method);
    root.put("budget", budget);
    root.put("prompt_length", prompt.length);
    root.put("gen_length", genLength);
    long before = decisions.stream().mapToLong(EvictionDecision::bytesBefore).sum();
    root.put("total_kept", decisions.stream().mapToInt(EvictionDecision::kept).sum());
    root.put("kv_bytes_before", before);
    root.put("kv_bytes_after", held);
    ArrayNode layers = root.putArray("layers");
    for (EvictionDecision d : decisions) {
      ObjectNode l = layers.addObject();
      l.put("layer", d.layer());
      l.put("layer_budget", d.layerBudget());
      l.put("bytes_before", d.bytesBefore());
      l.put("bytes_after", d.bytesAfter());
      ArrayNode heads = l.putArray("heads");
      for (int h = 0; h < d.headBudgets().length; h++) {
        ObjectNode hn = heads.addObject();
        hn.put("head", h);
        hn.put("budget", d.headBudgets()[h]);
        if (d.preference() == null) {
          hn.putNull("prompt_preference");
        } else {
          hn.put("prompt_preference", d.preference()[h]);
        }
        ArrayNode kept = hn.putArray("kept");
        for (int p : d.keptPositions()[h]) {
          kept.add(p);
        }
      }
    }
    Files.writeString(out, json.writerWithDefaultPrettyPrinter().writeValueAsString(root));
    System.out.printf("%s at budget %d: kept %d pairs, KV %s -> %s; wrote %s%n", method, budget,
        root.get("total_kept").asInt(), Bytes.human(before), Bytes.human(held), out);
    return 0;
  }
}
