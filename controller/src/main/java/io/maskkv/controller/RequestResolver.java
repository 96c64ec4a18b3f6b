package io.maskkv.controller;

import io.grpc.Status;
import io.maskkv.common.budget.BudgetPlan;
import io.maskkv.common.budget.EvictionMethods;
import io.maskkv.common.decode.CacheMode;
import io.maskkv.common.decode.GenerationOptions;
import io.maskkv.common.decode.Refresh;
import io.maskkv.common.decode.Remasking;
import io.maskkv.common.model.ModelConfig;
import io.maskkv.common.text.ChatTemplate;
import io.maskkv.proto.v1.CachePolicy;
import io.maskkv.proto.v1.ChatMessage;
import io.maskkv.proto.v1.GenerateRequest;
import io.maskkv.proto.v1.SamplerOptions;
import jakarta.inject.Singleton;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Turns a {@link GenerateRequest} into a {@link ResolvedRequest}: fills in defaults, validates (throwing
 * {@link IllegalArgumentException}, which the endpoint maps to INVALID_ARGUMENT), tokenizes, applies the chat
 * template and computes the budget plan. This is where the budget policy lives: the plan is computed here,
 * from the model's layer profile, and sent to every shard.
 */
@Singleton
public class RequestResolver {
  private final ControllerConfig config;
  private final WorkerRegistry registry;
  private final ModelCatalog catalog;

  public RequestResolver(ControllerConfig config, WorkerRegistry registry, ModelCatalog catalog) {
    this.config = config;
    this.registry = registry;
    this.catalog = catalog;
  }

  public ResolvedRequest resolve(GenerateRequest r) {
    GenerationOptions o = options(r);
    int inputs = (r.getPrompt().isEmpty() ? 0 : 1) + (r.getPromptIdsCount() == 0 ? 0 : 1)
        + (r.getMessagesCount() == 0 ? 0 : 1);
    if (inputs == 0) {
      throw new IllegalArgumentException("prompt is empty: give prompt, prompt_ids or messages");
    }
    if (inputs > 1) {
      throw new IllegalArgumentException("give only one of prompt, prompt_ids and messages");
    }
    ServedModel model = model(r.getModel());
    ModelConfig c = model.config();
    int[] prompt = prompt(r, model);
    if (prompt.length == 0) {
      throw new IllegalArgumentException("prompt is empty after tokenization");
    }
    for (int t : prompt) {
      if (t < 0 || t >= c.vocabSize()) {
        throw new IllegalArgumentException("prompt token id " + t + " is outside the vocabulary of " + c.vocabSize());
      }
    }
    int limit = config.getMaxPromptTokens();
    if (limit > 0 && prompt.length > limit) {
      throw new IllegalArgumentException("prompt has " + prompt.length + " tokens, more than this server accepts ("
          + limit + ", maskkv.max-prompt-tokens)");
    }
    if (prompt.length + o.genLength() > c.maxPositions()) {
      throw new IllegalArgumentException("prompt (" + prompt.length + " tokens) plus gen length (" + o.genLength()
          + ") exceeds the " + c.maxPositions() + " positions of model " + model.name());
    }
    BudgetPlan plan = BudgetPlan.of(o, model.profile(), prompt.length);
    return new ResolvedRequest(model, prompt, o, plan, r.getIncludeEvictions(), r.getIncludeKeptPositions());
  }

  /** The options with defaults filled in and validated. */
  GenerationOptions options(GenerateRequest r) {
    int gen = r.hasGenLength() ? r.getGenLength() : config.getDefaultGenLength();
    int steps = r.hasSteps() ? r.getSteps() : gen;
    int block = r.hasBlockLength() ? r.getBlockLength() : gen;
    SamplerOptions s = r.getSampler();
    CachePolicy cache = r.getCache();
    String method = cache.getMethod().isBlank() ? config.getDefaultCache().getMethod() : cache.getMethod().trim();
    int budget = cache.hasBudget() ? cache.getBudget() : config.getDefaultCache().getBudget();
    Refresh refresh = Refresh.parse(cache.getRefresh());
    if (CacheMode.parse(method) == CacheMode.COMPRESSED) {
      EvictionMethods.parse(method); // names the unknown method
    }
    Remasking remasking = s.getRemasking().isBlank() ? Remasking.LOW_CONFIDENCE : Remasking.parse(s.getRemasking());
    GenerationOptions.Builder o = GenerationOptions.builder().lengths(gen, steps, block).remasking(remasking)
        .cache(method, budget).refresh(refresh).earlyStop(!r.hasEarlyStop() || r.getEarlyStop());
    if (s.hasTemperature()) {
      o.temperature(s.getTemperature());
    }
    if (s.hasThreshold()) {
      o.threshold(s.getThreshold());
    }
    if (s.hasCfgScale()) {
      o.cfgScale(s.getCfgScale());
    }
    if (s.hasTopP()) {
      o.topP(s.getTopP());
    }
    if (s.hasTopK()) {
      o.topK(s.getTopK());
    }
    if (s.hasSeed()) {
      o.seed(s.getSeed());
    }
    if (s.hasFactor()) {
      o.factor(s.getFactor());
    }
    if (s.hasAlgTemp()) {
      o.algTemp(s.getAlgTemp());
    }
    if (s.hasEps()) {
      o.eps(s.getEps());
    }
    o.logitsEosInf(s.getLogitsEosInf()).confidenceEosEotInf(s.getConfidenceEosEotInf());
    if (cache.hasGamma()) {
      o.gamma(cache.getGamma());
    }
    if (cache.hasWindow()) {
      o.window(cache.getWindow());
    }
    return o.build().validated();
  }

  /** The named model, or the only one; INVALID_ARGUMENT for an unknown name, UNAVAILABLE when none serves. */
  ServedModel model(String name) {
    Set<String> known = new TreeSet<>(registry.knownModels());
    String n = name.trim();
    if (n.isEmpty()) {
      if (known.isEmpty()) {
        throw Status.UNAVAILABLE.withDescription("no worker has joined the controller yet").asRuntimeException();
      }
      if (known.size() > 1) {
        throw new IllegalArgumentException("several models are served " + known + ": name one");
      }
      n = known.iterator().next();
    } else if (!known.contains(n)) {
      throw new IllegalArgumentException("unknown model '" + n + "' (served: " + known + ")");
    }
    String model = n;
    WorkerNode w = registry.healthy(model).stream().findFirst().orElse(null);
    ServedModel loaded = catalog.loaded().stream().filter(m -> m.name().equals(model)).findFirst().orElse(null);
    if (loaded != null) {
      return loaded;
    }
    if (w == null) {
      throw Status.UNAVAILABLE.withDescription("no healthy worker serves model " + model).asRuntimeException();
    }
    return catalog.get(w);
  }

  private static int[] prompt(GenerateRequest r, ServedModel m) {
    if (r.getPromptIdsCount() > 0) {
      return r.getPromptIdsList().stream().mapToInt(Integer::intValue).toArray();
    }
    if (m.tokenizer() == null) {
      throw new IllegalArgumentException("model " + m.name() + " has no tokenizer.json: send prompt_ids");
    }
    String text;
    if (r.getMessagesCount() > 0) {
      List<ChatTemplate.Message> turns = new ArrayList<>();
      for (ChatMessage msg : r.getMessagesList()) {
        if (msg.getContent().isBlank()) {
          throw new IllegalArgumentException("chat message " + turns.size() + " is empty");
        }
        turns.add(new ChatTemplate.Message(msg.getRole().isBlank() ? "user" : msg.getRole(), msg.getContent()));
      }
      text = m.template().render(turns);
    } else if (r.getChat()) {
      text = m.template().render(List.of(new ChatTemplate.Message("user", r.getPrompt())));
    } else {
      text = r.getPrompt();
    }
    return m.tokenizer().encode(text);
  }
}
