package io.maskkv.bench.cli;

import ai.djl.ndarray.NDManager;
import io.maskkv.bench.diag.AttentionOverlap;
import io.maskkv.bench.longbench.LongBenchReader;
import io.maskkv.bench.longbench.LongBenchRecord;
import io.maskkv.bench.tasks.TaskVocabulary;
import io.maskkv.common.text.TextTokenizer;
import io.maskkv.server.ModelOptions;
import io.maskkv.worker.engine.Devices;
import io.maskkv.worker.engine.Transformer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.IntStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "attention-overlap", mixinStandardHelpOptions = true,
    description = "Per layer: overlap of the top-k prompt positions chosen by MaskKV's mask rows and by SnapKV's "
        + "last-window prompt rows, whether each keeps an answer-bearing token, and the attention mass each puts "
        + "on them (first denoising step, every response position masked). Prints a table, writes CSV.")
public final class AttentionOverlapCommand implements Callable<Integer> {
  @Mixin
  ModelOptions model;

  @Option(names = "--data", required = true, description = "LongBench-format JSONL (e.g. from make-tasks)")
  Path data;

  @Option(names = "--budget", required = true, split = ",", description = "prompt entries kept per head (k)")
  int[] budgets;

  @Option(names = "--gen-length", defaultValue = "2", description = "masks appended, as at the first step")
  int genLength;

  @Option(names = "--limit", defaultValue = "200", description = "records to read at most")
  int limit;

  @Option(names = "--out", description = "CSV file (default: print only)")
  Path out;

  @Override
  public Integer call() throws Exception {
    List<LongBenchRecord> all = LongBenchReader.read(data);
    List<LongBenchRecord> records = all.subList(0, Math.min(limit, all.size()));
    AttentionOverlap diag;
    try (Transformer t = Transformer.load(model.model, Devices.parse(model.device));
        TextTokenizer tok = TextTokenizer.load(model.model)) {
      diag = new AttentionOverlap(t.config().layers(), budgets);
      for (int i = 0; i < records.size(); i++) {
        LongBenchRecord r = records.get(i);
        int[] prompt = tok.encode(TaskVocabulary.asPrompt(r));
        int[] x = Arrays.copyOf(prompt, prompt.length + genLength);
        Arrays.fill(x, prompt.length, x.length, t.config().maskTokenId());
        try (NDManager step = t.manager().newSubManager()) {
          t.layers(t.embed(x, step), IntStream.range(0, x.length).toArray(),
              diag.view(prompt.length, answerBearing(prompt, tok.encode(r.answers().get(0))), t.config().kvHeads()),
              null, step);
        }
        System.err.printf("\rattention-overlap %d/%d", i + 1, records.size());
      }
      System.err.println();
    }
    StringBuilder csv = new StringBuilder("layer,budget,overlap_snapkv_kept,overlap_window_vote,answer_kept_maskkv,"
        + "answer_kept_snapkv,answer_kept_window_vote,answer_mass_mask_rows,answer_mass_window_rows,"
        + "answer_mass_uniform,prompts\n");
    System.out.printf("%-5s %6s | %-22s | %-30s | %-28s%n", "", "", "overlap with maskkv", "answer kept (share)",
        "answer attention mass");
    System.out.printf("%-5s %6s | %10s %11s | %8s %9s %11s | %9s %9s %8s%n", "layer", "budget", "snap kept",
        "window vote", "maskkv", "snapkv", "window vote", "mask rows", "window", "uniform");
    for (AttentionOverlap.Row row : diag.rows()) {
      System.out.printf(Locale.ROOT, "%-5d %6d | %10.3f %11.3f | %8.3f %9.3f %11.3f | %9.4f %9.4f %8.4f%n",
          row.layer(), row.budget(), row.overlapKept(), row.overlapVote(), row.answerKeptMaskKv(),
          row.answerKeptSnapKv(), row.answerKeptWindowVote(), row.answerMassMaskRows(), row.answerMassWindowRows(),
          row.answerMassUniform());
      csv.append(String.format(Locale.ROOT, "%d,%d,%.5f,%.5f,%.5f,%.5f,%.5f,%.6f,%.6f,%.6f,%d%n", row.layer(),
          row.budget(), row.overlapKept(), row.overlapVote(), row.answerKeptMaskKv(), row.answerKeptSnapKv(),
          row.answerKeptWindowVote(), row.answerMassMaskRows(), row.answerMassWindowRows(), row.answerMassUniform(),
          row.prompts()));
    }
    if (out != null) {
      if (out.toAbsolutePath().getParent() != null) {
        Files.createDirectories(out.toAbsolutePath().getParent());
      }
      Files.writeString(out, csv);
      System.out.println("wrote " + out);
    }
    return 0;
  }

  /**
   * Prompt positions holding the answer's token(s): the fact's value in the context (a question never contains
   * its own answer), which a cache that drops it cannot answer from.
   */
  static boolean[] answerBearing(int[] prompt, int[] answer) {
    boolean[] out = new boolean[prompt.length];
    for (int p = 0; p < prompt.length; p++) {
      for (int a : answer) {
        out[p] |= prompt[p] == a;
      }
    }
    return out;
  }
}
