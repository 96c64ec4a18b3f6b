package io.maskkv.server;

import io.maskkv.common.model.ModelConfigJson;
import io.maskkv.common.model.ModelFamily;
import io.maskkv.common.text.ChatTemplate;
import io.maskkv.common.text.PromptTemplate;
import io.maskkv.common.text.PromptTemplates;
import io.maskkv.common.text.TextTokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Shows the ids a prompt becomes (or the text ids decode to): what users need to debug a prompt. */
@Command(name = "tokenize", mixinStandardHelpOptions = true,
    description = "Print a prompt's token ids as one comma-separated line (--decode: the text of ids).")
public final class TokenizeCommand implements Callable<Integer> {
  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--model", defaultValue = "models/maskkv-tiny",
      description = "model folder with tokenizer.json (default: ${DEFAULT-VALUE})")
  Path model;

  @Option(names = "--prompt", description = "text to tokenize")
  String prompt;

  @Option(names = "--chat", description = "wrap the prompt as one user turn in the model's chat template first")
  boolean chat;

  @Option(names = "--decode", description = "comma-separated ids to turn back into text (special tokens skipped)")
  String decode;

  @Override
  public Integer call() {
    if ((prompt == null) == (decode == null)) {
      throw new IllegalArgumentException("give exactly one of --prompt or --decode");
    }
    try (TextTokenizer tok = TextTokenizer.load(model)) {
      if (decode != null) {
        spec.commandLine().getOut().println(tok.decode(Ids.parse(decode)));
        return 0;
      }
      String text = chat ? template().render(List.of(new ChatTemplate.Message("user", prompt))) : prompt;
      spec.commandLine().getOut().println(Arrays.stream(tok.encode(text)).mapToObj(Integer::toString)
          .collect(Collectors.joining(",")));
    }
    return 0;
  }

  /** The folder's own template; a folder with only tokenizer files and no template has no family to fall back on. */
  private PromptTemplate template() {
    ModelFamily family = Files.exists(model.resolve("config.json")) ? ModelConfigJson.read(model).family() : null;
    if (family == null && !PromptTemplates.hasOwn(model)) {
      throw new IllegalArgumentException(model + ": no chat_template in tokenizer_config.json and no config.json "
          + "to choose a built-in template by");
    }
    return PromptTemplates.load(model, family);
  }
}
