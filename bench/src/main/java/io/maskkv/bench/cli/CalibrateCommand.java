package io.maskkv.bench.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.maskkv.bench.longbench.LongBenchReader;
import io.maskkv.bench.longbench.LongBenchRecord;
import io.maskkv.bench.tasks.TaskVocabulary;
import io.maskkv.common.budget.LayerProfile;
import io.maskkv.common.text.TextTokenizer;
import io.maskkv.server.ModelOptions;
import io.maskkv.worker.engine.KvView;
import io.maskkv.worker.engine.Transformer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.IntStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "calibrate", mixinStandardHelpOptions = true,
    description = "Compute MaskKV's per-layer importance profile (eq. 8) over calibration prompts.")
public final class CalibrateCommand implements Callable<Integer> {
  @Mixin
  ModelOptions model;

  @Option(names = "--data", required = true, description = "LongBench-format JSONL of calibration prompts")
  Path data;

  @Option(names = "--out", description = "default: MODEL/maskkv_profile.json")
  Path out;

  @Option(names = "--gen-length", defaultValue = "32", description = "masks appended, as at the first step")
  int genLength;

  @Option(names = "--limit", defaultValue = "32", description = "records of --data used (default: ${DEFAULT-VALUE})")
  int limit;

  @Override
  public Integer call() throws Exception {
    List<LongBenchRecord> all = LongBenchReader.read(data);
    List<LongBenchRecord> records = all.subList(0, Math.min(limit, all.size()));
    if (records.isEmpty()) {
      throw new IllegalArgumentException(data + ": no records");
    }
    try (Transformer t = model.load();
        TextTokenizer tok = TextTokenizer.load(model.model)) {
      int layers = t.config().layers();
      double[] sum = new double[layers];
      for (int i = 0; i < records.size(); i++) {
        int[] prompt = tok.encode(TaskVocabulary.asPrompt(records.get(i)));
        int[] x = Arrays.copyOf(prompt, prompt.length + genLength);
        Arrays.fill(x, prompt.length, x.length, t.config().maskTokenId());
        double[] cos = new double[layers];
        try (NDManager step = t.manager().newSubManager()) {
          t.layers(t.embed(x, step), IntStream.range(0, x.length).toArray(), KvView.NONE,
              (layer, in, after) -> cos[layer] = meanCosine(in, after), step);
        }
        for (int l = 0; l < layers; l++) {
          sum[l] += 1 - cos[l];
        }
        System.err.printf("\rcalibrate %d/%d", i + 1, records.size());
      }
      System.err.println();
      double[] importance = Arrays.stream(sum).map(s -> s / records.size()).toArray();
      Path target = out != null ? out : model.model.resolve(LayerProfile.FILE);
      LayerProfile.write(target, importance, records.size(), data.getFileName().toString());
      System.out.println("importance per layer: " + Arrays.toString(importance));
      System.out.println("wrote " + target);
    }
    return 0;
  }

  /** Mean over tokens of cos(h_in, h_out) for {@code [rows, d]} tensors. */
  static double meanCosine(NDArray in, NDArray out) {
    NDArray dot = in.mul(out).sum(new int[] {1});
    NDArray norms = in.norm(new int[] {1}).mul(out.norm(new int[] {1}));
    return dot.div(norms.add(1e-12f)).mean().getFloat();
  }
}
