package io.maskkv.server;

import io.maskkv.common.decode.GenerationOptions;
import io.maskkv.common.decode.GenerationResult;
import io.maskkv.common.decode.Refresh;
import io.maskkv.common.io.Bytes;
import io.maskkv.common.text.ChatTemplate;
import io.maskkv.common.text.PromptTemplates;
import io.maskkv.common.text.TextTokenizer;
import io.maskkv.worker.engine.Transformer;
import io.maskkv.worker.session.Generator;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "generate", mixinStandardHelpOptions = true,
    description = "Generate an answer in process, streaming the left-to-right prefix as it is committed.")
public final class GenerateCommand implements Callable<Integer> {
  @Mixin
  ModelOptions model;

  @Option(names = "--prompt", description = "prompt text (tokenized with the model's tokenizer.json)")
  String prompt;

  @Option(names = "--ids", description = "prompt as comma-separated token ids instead of text")
  String ids;

  @Option(names = "--data", description = "a LongBench-format JSONL file (as make-tasks writes): the prompt is the "
      + "record's context, a space and its input; its answers are printed on stderr")
  java.nio.file.Path data;

  @Option(names = "--index", defaultValue = "0", description = "which record of --data, from 0 (default: 0)")
  int index;

  @Option(names = "--chat", description = "wrap the prompt in the model's chat template (tokenizer_config.json's, "
      + "else the family's built-in one)")
  boolean chat;

  @Mixin
  GenerationFlags generation;

  @Option(names = "--quiet", description = "print only the answer")
  boolean quiet;

  @Option(names = "--verbose", description = "print each step's block, rows fed, time and KV bytes on stderr")
  boolean verbose;

  @Override
  public Integer call() {
    if ((prompt != null ? 1 : 0) + (ids != null ? 1 : 0) + (data != null ? 1 : 0) != 1) {
      throw new IllegalArgumentException("give exactly one of --prompt, --ids or --data");
    }
    if (data != null) {
      LongBenchRecord r = LongBenchRecord.read(data, index);
      prompt = r.prompt();
      System.err.println("record " + index + " of " + data + ": " + r.promptWords() + " words; answers " + r.answers());
    }
    GenerationOptions o = generation.options();
    try (Transformer t = model.load();
        TextTokenizer tok = TextTokenizer.load(model.model)) {
      int[] input;
      if (ids != null) {
        input = Ids.parse(ids);
      } else {
        String text = chat ? PromptTemplates.load(model.model, t.config().family())
            .render(List.of(new ChatTemplate.Message("user", prompt))) : prompt;
        input = tok.encode(text);
        List<String> unknown = tok.unknownWords(prompt);
        if (!unknown.isEmpty()) {
          System.err.println("warning: " + unknown.size() + " prompt word(s) are not in the vocabulary of "
              + model.model + " and read as its unknown token: " + unknown.stream().distinct().limit(10).toList());
        }
      }
      StreamingPrinter printer = new StreamingPrinter(tok, t.config(), quiet ? null : System.out);
      GenerationResult r = new Generator(t).generate(input, o, e -> {
        printer.onStep(e);
        if (verbose) {
          System.err.printf("%n[step %d] block %d, %d rows fed, %.2f ms, KV %s, committed %d%n", e.step(), e.block(),
              e.rowsFed(), e.nanos() / 1e6, Bytes.human(e.kvBytes()), e.committed().size());
        }
      });
      String answer = tok.decode(r.answer());
      if (quiet) {
        System.out.println(answer);
      } else {
        printer.finish(answer);
        System.err.printf("[%s%s] prompt %d tokens, %d steps, %.1f ms prefill, %.2f ms/step after, %.1f tokens/s, "
                + "KV %s (prompt full %s), cache update frequency %.2f, finish %s%n",
            o.method(), o.refresh() == Refresh.NONE ? "" : "+" + o.refresh().wireName(), input.length, r.steps(), r.firstStepNanos() / 1e6,
            r.msPerCachedStep(), r.response().length / (r.totalNanos() / 1e9), Bytes.human(r.kvBytesFinal()),
            Bytes.human(r.promptKvBytesFull()), r.cacheUpdateFrequency(), r.finishReason());
      }
    }
    return 0;
  }
}
