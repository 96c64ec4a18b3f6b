package io.maskkv.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code ./maskkv tokenize} on Qwen2.5's real tokenizer (fixtures/qwen2_5). */
class TokenizeCommandTest {
  private static final Path QWEN = Path.of(System.getProperty("maskkv.fixtures", "../fixtures"), "qwen2_5");

  private static String[] run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = new CommandLine(new Main());
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int rc = Main.execute(cli, args);
    return new String[] {Integer.toString(rc), out.toString().strip(), err.toString().strip()};
  }

  @Test
  void printsGoldenIdsAsOneCommaSeparatedLine() {
    assertEquals("0|9707,1879|", String.join("|", run("tokenize", "--model", QWEN.toString(), "--prompt",
        "Hello world")));
  }

  /** Ids of transformers.js's apply_chat_template(tokenize: true) with the same tokenizer files. */
  @Test
  void chatWrapsThePromptInTheFoldersOwnTemplate() {
    assertEquals("151644,8948,198,2610,525,1207,16948,11,3465,553,54364,14817,13,1446,525,264,10950,17847,13,151645,"
        + "198,151644,872,198,13048,151645,198,151644,77091,198",
        run("tokenize", "--model", QWEN.toString(), "--chat", "--prompt", "Hi")[1]);
  }

  @Test
  void decodeTurnsIdsBackIntoText() {
    assertEquals("Hello world", run("tokenize", "--model", QWEN.toString(), "--decode", "9707,1879,151645")[1]);
  }

  @Test
  void promptAndDecodeTogetherIsAOneLineError() {
    String[] r = run("tokenize", "--model", QWEN.toString(), "--prompt", "a", "--decode", "1");
    assertEquals("2", r[0]);
    assertEquals("error: give exactly one of --prompt or --decode", r[2]);
  }
}
