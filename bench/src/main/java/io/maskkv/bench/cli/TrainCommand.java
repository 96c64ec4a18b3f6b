package io.maskkv.bench.cli;

import io.maskkv.bench.train.Stage;
import io.maskkv.bench.train.TrainConfig;
import io.maskkv.bench.train.Trainer;
import java.io.BufferedWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "train", mixinStandardHelpOptions = true,
    description = "Train a small LLaDA-format masked-diffusion LM on procedural tasks (resumable); writes "
        + "OUT/checkpoint, OUT/model (a servable model folder), OUT/loss.csv|png and OUT/accuracy.csv|png.")
public final class TrainCommand implements Callable<Integer> {
  @Option(names = "--out", required = true)
  Path out;

  @Option(names = "--steps", required = true, description = "train until this step (counting resumed steps)")
  long steps;

  @Option(names = "--seed", defaultValue = "0")
  long seed;

  @Option(names = "--resume", description = "a checkpoint folder to continue (its config wins)")
  Path resume;

  @Option(names = "--init-from", description = "a model folder (one this trainer exported, e.g. the bundled model) "
      + "whose weights start the run, at step 0 with a fresh optimiser: fine-tuning. Its --layers/--d-model/"
      + "--heads/--ffn must be given as they are in its config.json")
  Path initFrom;

  @Option(names = "--task", description = "a task name, or several separated by commas (each sequence draws one); "
      + "default needle; with --resume: the next curriculum stage's mix, else the checkpoint's")
  String task;

  @Option(names = "--offset-heads", split = ",", description = "relative offsets (e.g. -1,-2,-3) that layer 0's "
      + "first heads start out attending to; helps key-value binding form (default: none)")
  List<Integer> offsetHeads = List.of();

  @Option(names = "--queries", defaultValue = "1", description = "up to this many questions per training "
      + "sequence: earlier ones inline with their (masked) answers, the last before the answer slots")
  int queries;

  @Option(names = "--binding-prior", description = "start layer 1 as a content match on what layer 0's offset -2 "
      + "head copies (an induction-circuit start for key-value binding; needs -2 in --offset-heads)")
  boolean bindingPrior;

  @Option(names = "--suffix-mask", description = "answer and mixed objectives: the probability that a sequence's "
      + "answer slots are masked from a random slot within the answer to the end, as semi-autoregressive decoding "
      + "(eval --block-length below --gen-length) meets them, instead of each slot with probability t (default 0; "
      + "with --resume: the next stage's, else the checkpoint's)")
  Double suffixMask;

  @Option(names = "--hop-prior", description = "with --binding-prior: start a hop head (own token matched against "
      + "the two-back copy) in every middle layer and a binding head in every later one, for multi-hop vartrack")
  boolean hopPrior;

  @Option(names = "--eval-every", defaultValue = "250",
      description = "every N steps measure each task's accuracy on held-out sequences into OUT/accuracy.csv")
  int evalEvery;

  @Option(names = "--eval-n", defaultValue = "64", description = "held-out sequences per task and measurement")
  int evalN;

  @Option(names = "--length", description = "prompt length in tokens (default 128; with --resume: the next "
      + "curriculum stage, else the checkpoint's)")
  Integer length;

  @Option(names = "--answer-slots", defaultValue = "4")
  int answerSlots;

  @Option(names = "--batch", description = "sequences per step (default 8; with --resume: the checkpoint's)")
  Integer batch;

  @Option(names = "--lr", description = "Adam learning rate after warm-up (default 1e-3; with --resume: the next "
      + "stage's, e.g. a lower one to cool down, else the checkpoint's)")
  Double lr;

  @Option(names = "--objective", description = "answer: loss on the masked answer slots only (SFT-style, default); "
      + "pretrain: LLaDA's pretraining objective, every position of the sequence masked with probability t and "
      + "predicted; mixed: each sequence is an answer one with probability --answer-share, else a pretrain one; "
      + "with --resume: the next stage's, else the checkpoint's")
  String objective;

  @Option(names = "--answer-share", description = "mixed objective: the probability that a sequence is an "
      + "answer-only one (default 0.5; with --resume: the checkpoint's)")
  Double answerShare;

  @Option(names = "--decay-from", description = "learning-rate schedule: cosine from --lr at this step (counted "
      + "from the run's start) down to --min-lr at --decay-to, constant after; default none (constant lr)")
  Long decayFrom;

  @Option(names = "--decay-to", description = "see --decay-from")
  Long decayTo;

  @Option(names = "--min-lr", description = "see --decay-from (default lr/10)")
  Double minLr;

  @Option(names = "--filler-ratio", description = "pretrain and mixed objectives: the share of pretrain sequences "
      + "that are plain filler text rather than a task (default 0; with --resume: the checkpoint's)")
  Double fillerRatio;

  @Option(names = "--warmup", defaultValue = "100")
  int warmup;

  @Option(names = "--layers", defaultValue = "4")
  int layers;

  @Option(names = "--d-model", defaultValue = "128")
  int dModel;

  @Option(names = "--heads", defaultValue = "4")
  int heads;

  @Option(names = "--ffn", defaultValue = "384")
  int ffn;

  @Option(names = "--checkpoint-every", defaultValue = "200")
  int checkpointEvery;

  @Override
  public Integer call() throws Exception {
    Files.createDirectories(out);
    Path ckpt = out.resolve("checkpoint");
    Path csv = out.resolve("loss.csv");
    Path accCsv = out.resolve("accuracy.csv");
    TrainConfig.Objective obj = objective == null ? null
        : TrainConfig.Objective.valueOf(objective.trim().toUpperCase(Locale.ROOT));
    Double share = answerShare == null && obj == TrainConfig.Objective.MIXED ? Double.valueOf(0.5) : answerShare;
    if (resume != null && initFrom != null) {
      throw new IllegalArgumentException("give --resume (continue a checkpoint) or --init-from (start from a model's "
          + "weights), not both");
    }
    TrainConfig fresh = resume != null ? null : new TrainConfig(layers, dModel, heads, ffn,
        task == null ? "needle" : task, length == null ? 128 : length, answerSlots, batch == null ? 8 : batch,
        lr == null ? 1e-3 : lr, warmup, seed, offsetHeads, queries, bindingPrior, obj,
        fillerRatio == null ? 0 : fillerRatio, share == null ? 0 : share, decayFrom == null ? 0 : decayFrom,
        decayTo == null ? 0 : decayTo, minLr != null ? minLr : (lr == null ? 1e-3 : lr) / 10, hopPrior,
        suffixMask == null ? 0 : suffixMask);
    try (Trainer t = resume != null
        ? Trainer.resume(resume, new Stage(length, batch, task, lr, obj, fillerRatio, share, decayFrom, decayTo,
            minLr, suffixMask))
        : initFrom != null ? Trainer.startFrom(initFrom, fresh) : new Trainer(fresh)) {
      if (!Files.exists(csv) || resume == null) {
        Files.writeString(csv, "step,loss\n");
      } else {
        CurveFiles.dropAfter(csv, t.step()); // rows a killed run wrote after its last checkpoint come again
      }
      if (!Files.exists(accCsv) || resume == null) {
        Files.writeString(accCsv, "step,task,length,accuracy\n");
      } else {
        CurveFiles.dropAfter(accCsv, t.step());
      }
      ProgressBar bar = ProgressBar.stderr("train");
      bar.start(Math.max(0, steps - t.step()));
      try (BufferedWriter w = Files.newBufferedWriter(csv, StandardOpenOption.APPEND)) {
        while (t.step() < steps) {
          double loss = t.trainStep();
          w.write(String.format(Locale.ROOT, "%d,%.5f%n", t.step(), loss));
          bar.advance(String.format(Locale.ROOT, "loss %.3f", loss));
          if (evalEvery > 0 && (t.step() % evalEvery == 0 || t.step() == steps)) {
            StringBuilder line = new StringBuilder();
            for (Map.Entry<String, Double> e : t.accuracy(evalN).entrySet()) {
              Files.writeString(accCsv, String.format(Locale.ROOT, "%d,%s,%d,%.4f%n", t.step(), e.getKey(),
                  t.config().length(), e.getValue()), StandardOpenOption.APPEND);
              line.append(String.format(Locale.ROOT, " %s %.1f%%", e.getKey(), 100 * e.getValue()));
            }
            bar.note("step " + t.step() + " accuracy" + line
                + (t.skippedSteps() > 0 ? " (" + t.skippedSteps() + " steps skipped: gradient not finite)" : ""));
            plotAccuracy(accCsv, out.resolve("accuracy.png"));
          }
          if (t.step() % checkpointEvery == 0 || t.step() == steps) {
            w.flush();
            t.saveCheckpoint(ckpt); // a long run killed at any point resumes from here
            plot(csv, out.resolve("loss.png"));
          }
        }
      }
      bar.finish();
      t.exportModel(out.resolve("model"));
      System.out.printf("step %d: checkpoint %s, model %s, curve %s%n", t.step(), ckpt, out.resolve("model"), csv);
    }
    return 0;
  }

  private static void plotAccuracy(Path csv, Path png) throws java.io.IOException {
    Map<String, List<double[]>> series = new java.util.TreeMap<>();
    for (String line : Files.readAllLines(csv)) {
      String[] f = line.split(",");
      if (f.length == 4 && !f[0].equals("step")) {
        series.computeIfAbsent(f[1], k -> new ArrayList<>())
            .add(new double[] {Double.parseDouble(f[0]), 100 * Double.parseDouble(f[3])});
      }
    }
    XYChart chart = new XYChartBuilder().width(800).height(450).title("held-out accuracy (all answer slots masked)")
        .xAxisTitle("step").yAxisTitle("exact match %").build();
    series.forEach((task, points) -> chart.addSeries(task, points.stream().mapToDouble(p -> p[0]).toArray(),
        points.stream().mapToDouble(p -> p[1]).toArray()));
    if (!series.isEmpty()) {
      BitmapEncoder.saveBitmap(chart, png.toString(), BitmapEncoder.BitmapFormat.PNG);
    }
  }

  private static void plot(Path csv, Path png) throws java.io.IOException {
    List<Double> xs = new ArrayList<>();
    List<Double> ys = new ArrayList<>();
    for (String line : Files.readAllLines(csv)) {
      String[] f = line.split(",");
      if (f.length == 2 && !f[0].equals("step")) {
        xs.add(Double.parseDouble(f[0]));
        ys.add(Double.parseDouble(f[1]));
      }
    }
    if (xs.isEmpty()) {
      return;
    }
    XYChart chart = new XYChartBuilder().width(800).height(450).title("training loss").xAxisTitle("step")
        .yAxisTitle("loss (masked slots, 1/t weighted)").build();
    chart.addSeries("loss", xs, ys).setMarker(org.knowm.xchart.style.markers.SeriesMarkers.NONE);
    BitmapEncoder.saveBitmap(chart, png.toString(), BitmapEncoder.BitmapFormat.PNG);
  }
}
