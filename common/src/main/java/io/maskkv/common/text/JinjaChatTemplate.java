package io.maskkv.common.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.LegacyOverrides;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import io.maskkv.common.model.ModelFormatException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A checkpoint's own chat template: the Jinja string in {@code tokenizer_config.json}'s {@code chat_template},
 * rendered the way transformers' {@code apply_chat_template} renders it (transformers
 * {@code utils/chat_template_utils.py}: a sandboxed Jinja environment with {@code trim_blocks=True,
 * lstrip_blocks=True}, variables {@code messages}, {@code add_generation_prompt}, the special tokens by name,
 * and a {@code raise_exception} function).
 */
public final class JinjaChatTemplate implements PromptTemplate {
  private static final String REFUSED = "chat template refused the messages: ";
  private final String source;
  private final Map<String, Object> specialTokens;
  private final Jinjava jinja;

  /**
   * @param source the template text
   * @param specialTokens the tokenizer_config's special tokens by name (bos_token, eos_token, ...), as strings
   */
  public JinjaChatTemplate(String source, Map<String, String> specialTokens) {
    this.source = source;
    this.specialTokens = new LinkedHashMap<>(specialTokens);
    // Jinjava's legacy overrides switch on Python Jinja's behaviours: {{- -}} trimming on expressions (Qwen's
    // template writes every output that way), natural operator precedence, backslash escapes only in quotes;
    // LegacyOverrides.ALL also requires whitespace within tokens, which real templates do not honour
    this.jinja = new Jinjava(JinjavaConfig.newBuilder().withTrimBlocks(true).withLstripBlocks(true)
        .withLegacyOverrides(LegacyOverrides.newBuilder().withEvaluateMapKeys(true).withIterateOverMapKeys(true)
            .withUsePyishObjectMapper(true).withUseNaturalOperatorPrecedence(true)
            .withParseWhitespaceControlStrictly(true).withAllowAdjacentTextNodes(true)
            .withUseTrimmingForNotesAndExpressions(true).withKeepNullableLoopValues(true)
            .withHandleBackslashInQuotesOnly(true).build()).build());
    jinja.getGlobalContext().registerFunction(new ELFunctionDefinition("", "raise_exception",
        JinjaChatTemplate.class, "raiseException", String.class));
  }

  /** Reads {@code chat_template} from a parsed tokenizer_config.json; null when it has none. */
  static JinjaChatTemplate fromConfig(JsonNode config, String where) {
    JsonNode t = config.get("chat_template");
    if (t == null || t.isNull()) {
      return null;
    }
    String text;
    if (t.isTextual()) {
      text = t.asText();
    } else if (t.isArray()) {
      // transformers also accepts a list of named templates; "default" is the one apply_chat_template uses
      text = null;
      for (JsonNode named : t) {
        if ("default".equals(named.path("name").asText())) {
          text = named.path("template").asText();
        }
      }
      if (text == null) {
        throw new ModelFormatException(where + ": chat_template list has no template named 'default'");
      }
    } else {
      throw new ModelFormatException(where + ": chat_template must be a string or a list, got " + t.getNodeType());
    }
    Map<String, String> specials = new HashMap<>();
    for (String name : List.of("bos_token", "eos_token", "unk_token", "pad_token", "sep_token", "cls_token",
        "mask_token")) {
      String value = tokenText(config.get(name));
      if (value != null) {
        specials.put(name, value);
      }
    }
    return new JinjaChatTemplate(text, specials);
  }

  /** A special token in tokenizer_config.json is a string or an AddedToken object {"content": ...}. */
  static String tokenText(JsonNode n) {
    if (n == null || n.isNull()) {
      return null;
    }
    return n.isTextual() ? n.asText() : n.path("content").asText(null);
  }

  @Override
  public String render(List<ChatTemplate.Message> messages) {
    List<Map<String, Object>> turns = new ArrayList<>();
    for (ChatTemplate.Message m : messages) {
      Map<String, Object> turn = new LinkedHashMap<>();
      turn.put("role", m.role());
      turn.put("content", m.content());
      turns.add(turn);
    }
    Map<String, Object> vars = new HashMap<>(specialTokens);
    vars.put("messages", turns);
    vars.put("add_generation_prompt", true);
    RenderResult r = jinja.renderForResult(source, vars);
    for (TemplateError e : r.getErrors()) {
      if (e.getSeverity() == TemplateError.ErrorType.FATAL) {
        // Jinjava wraps what a function throws; surface raise_exception's own message
        for (Throwable c = e.getException(); c != null; c = c.getCause()) {
          if (c instanceof IllegalArgumentException && c.getMessage() != null
              && c.getMessage().startsWith(REFUSED)) {
            throw (IllegalArgumentException) c;
          }
        }
        throw new IllegalArgumentException("chat template: line " + e.getLineno() + ": " + e.getMessage());
      }
    }
    return r.getOutput();
  }

  /** The templates' own way to refuse a conversation (e.g. roles that do not alternate). */
  public static String raiseException(String message) {
    throw new IllegalArgumentException(REFUSED + message);
  }
}
