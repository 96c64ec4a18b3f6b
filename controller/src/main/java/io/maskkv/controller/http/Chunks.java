package io.maskkv.controller.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.maskkv.proto.v1.CommittedToken;
import io.maskkv.proto.v1.EvictionUpdate;
import io.maskkv.proto.v1.GenerateEvent;
import io.maskkv.proto.v1.StepUpdate;
import io.maskkv.proto.v1.Summary;
import java.util.ArrayList;
import java.util.List;

/**
 * One session's events in OpenAI's response shapes: {@code text_completion} / {@code chat.completion.chunk} chunks
 * while streaming, one {@code text_completion} / {@code chat.completion} object otherwise. Stop strings cut the
 * text (also across deltas). With {@code include_evictions} the stream also carries, in a {@code maskkv} field of
 * otherwise empty chunks, each step's committed positions and each layer's kept prompt positions, which the
 * playground draws.
 */
final class Chunks {
  static final String DONE = "[DONE]";
  private final CompletionRequest req;
  private final String id;
  private final long created;
  private final StringBuilder text = new StringBuilder();
  private int sent;
  private boolean roleSent;
  private boolean stopped;
  private String model = "";

  Chunks(CompletionRequest req, String id, long created) {
    this.req = req;
    this.id = id;
    this.created = created;
  }

  /** The SSE data lines for one event (none, one, or the last chunk and [DONE]). */
  List<String> on(GenerateEvent e) {
    List<String> out = new ArrayList<>();
    if (stopped) {
      return out;
    }
    switch (e.getEventCase()) {
      case STARTED -> {
        model = e.getStarted().getModel();
        if (req.chat()) {
          ObjectNode c = chunk();
          c.putArray("choices").addObject().put("index", 0).putNull("finish_reason").putObject("delta")
              .put("role", "assistant").put("content", "");
          roleSent = true;
          out.add(c.toString());
        }
        if (req.request().getIncludeEvictions()) {
          ObjectNode c = extra();
          c.putObject("maskkv").put("event", "started").put("prompt_tokens", e.getStarted().getPromptTokens())
              .put("gen_length", e.getStarted().getOptions().getGenLength())
              .put("kv_bytes_reserved", e.getStarted().getReservedKvBytes());
          out.add(c.toString());
        }
      }
      case TEXT -> {
        text.append(e.getText().getText());
        String visible = req.cut(text.toString());
        if (visible != null) {
          stopped = true;
          delta(out, visible.substring(Math.min(sent, visible.length())));
          out.add(last("stop", null));
          out.add(DONE);
          return out;
        }
        delta(out, text.substring(sent));
      }
      case STEP -> {
        if (req.request().getIncludeEvictions()) {
          StepUpdate s = e.getStep();
          ObjectNode c = extra();
          ObjectNode m = c.putObject("maskkv").put("event", "step").put("step", s.getStep())
              .put("kv_bytes", s.getKvBytes()).put("step_ms", s.getStepMs());
          ArrayNode committed = m.putArray("committed");
          for (CommittedToken t : s.getCommittedList()) {
            committed.addObject().put("position", t.getPosition()).put("text", t.getText())
                .put("confidence", t.getConfidence());
          }
          out.add(c.toString());
        }
      }
      case EVICTION -> {
        if (req.request().getIncludeEvictions()) {
          EvictionUpdate ev = e.getEviction();
          ObjectNode c = extra();
          ObjectNode m = c.putObject("maskkv").put("event", "eviction").put("layer", ev.getDecision().getLayer())
              .put("worker", ev.getWorker());
          m.put("layer_budget", ev.getDecision().getLayerBudget());
          ArrayNode heads = m.putArray("kept");
          for (var h : ev.getDecision().getKeptPositionsList()) {
            ArrayNode kept = heads.addArray();
            h.getPositionsList().forEach(kept::add);
          }
          out.add(c.toString());
        }
      }
      case SUMMARY -> {
        Summary s = e.getSummary();
        out.add(last(finish(s), s));
        out.add(DONE);
      }
      default -> { }
    }
    return out;
  }

  private void delta(List<String> out, String d) {
    if (d.isEmpty()) {
      return;
    }
    sent += d.length();
    ObjectNode c = chunk();
    ObjectNode choice = c.putArray("choices").addObject().put("index", 0);
    choice.putNull("finish_reason");
    if (req.chat()) {
      ObjectNode delta = choice.putObject("delta");
      if (!roleSent) {
        delta.put("role", "assistant");
        roleSent = true;
      }
      delta.put("content", d);
    } else {
      choice.put("text", d).putNull("logprobs");
    }
    out.add(c.toString());
  }

  /** An otherwise empty chunk that carries a {@code maskkv} object (filled by the caller). */
  private ObjectNode extra() {
    ObjectNode c = chunk();
    ObjectNode choice = c.putArray("choices").addObject().put("index", 0);
    choice.putNull("finish_reason");
    if (req.chat()) {
      choice.putObject("delta");
    } else {
      choice.put("text", "").putNull("logprobs");
    }
    return c;
  }

  private String finish(Summary s) {
    String cut = req.cut(s.getText());
    if (cut != null) {
      return "stop";
    }
    return s.getFinishReason() == io.maskkv.proto.v1.FinishReason.FINISH_REASON_LENGTH ? "length" : "stop";
  }

  private String last(String finishReason, Summary s) {
    ObjectNode c = chunk();
    ObjectNode choice = c.putArray("choices").addObject().put("index", 0).put("finish_reason", finishReason);
    if (req.chat()) {
      choice.putObject("delta");
    } else {
      choice.put("text", "").putNull("logprobs");
    }
    if (s != null) {
      usage(c, s);
    }
    return c.toString();
  }

  private ObjectNode chunk() {
    return ApiError.JSON.createObjectNode().put("id", id)
        .put("object", req.chat() ? "chat.completion.chunk" : "text_completion").put("created", created)
        .put("model", model);
  }

  private static void usage(ObjectNode c, Summary s) {
    int completion = s.getAnswerIdsCount();
    c.putObject("usage").put("prompt_tokens", s.getPromptTokens()).put("completion_tokens", completion)
        .put("total_tokens", s.getPromptTokens() + completion);
  }

  /** Remembers the served model's name (the non-streaming path sees only this event and the summary). */
  void started(GenerateEvent e) {
    if (e.hasStarted()) {
      model = e.getStarted().getModel();
    }
  }

  /** The non-streaming body for a finished session. */
  ObjectNode whole(Summary s) {
    String cut = req.cut(s.getText());
    String answer = cut != null ? cut : s.getText();
    ObjectNode c = ApiError.JSON.createObjectNode().put("id", id)
        .put("object", req.chat() ? "chat.completion" : "text_completion").put("created", created)
        .put("model", model.isEmpty() ? req.request().getModel() : model);
    ObjectNode choice = c.putArray("choices").addObject().put("index", 0).put("finish_reason", finish(s));
    if (req.chat()) {
      choice.putObject("message").put("role", "assistant").put("content", answer);
    } else {
      choice.put("text", answer).putNull("logprobs");
    }
    usage(c, s);
    return c;
  }
}
