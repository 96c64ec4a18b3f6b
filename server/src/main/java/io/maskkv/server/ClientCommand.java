package io.maskkv.server;

import com.google.protobuf.TextFormat;
import io.grpc.ManagedChannel;
import io.maskkv.common.security.PublicChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.maskkv.common.io.Bytes;
import io.maskkv.proto.v1.ClusterStatusRequest;
import io.maskkv.proto.v1.GenerateEvent;
import io.maskkv.proto.v1.GenerateRequest;
import io.maskkv.proto.v1.GenerationServiceGrpc;
import io.maskkv.proto.v1.ListModelsRequest;
import io.maskkv.proto.v1.Summary;
import java.io.PrintStream;
import java.util.Iterator;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "client", mixinStandardHelpOptions = true,
    description = {"Call a running controller (./maskkv serve): stream an answer to stdout as its left-to-right "
        + "prefix is decided, with a summary on stderr. Unset options take the controller's defaults.",
        "--list shows the models, --status the workers and groups."})
public final class ClientCommand implements Callable<Integer> {
  @Option(names = "--host", defaultValue = "localhost", description = "controller host (default: ${DEFAULT-VALUE})")
  String host;

  @Option(names = "--port", defaultValue = "50051", description = "controller gRPC port (default: ${DEFAULT-VALUE})")
  int port;

  @Option(names = "--tls", description = "connect over TLS (the JDK's trust store, or --tls-ca); the API token comes "
      + "from MASKKV_API_TOKEN")
  boolean tls;

  @Option(names = "--tls-ca", description = "PEM CA that signed the server's certificate (implies --tls)")
  java.io.File tlsCa;

  @Option(names = "--prompt", description = "prompt text")
  String prompt;

  @Option(names = "--ids", description = "prompt as comma-separated token ids")
  String ids;

  @Option(names = "--chat",
      description = "wrap the prompt in the model's chat template (its tokenizer_config.json's, else the family's)")
  boolean chat;

  @Option(names = "--model", description = "model name (default: the only one served)")
  String model;

  @Mixin
  GenerationFlags generation;

  @Option(names = "--evictions", description = "print the per-layer eviction decisions (stderr)")
  boolean evictions;

  @Option(names = "--events", description = "print every event (stderr) instead of only the text")
  boolean events;

  @Option(names = "--timeout", defaultValue = "600", description = "seconds before the call gives up")
  long timeout;

  @Option(names = "--list", description = "list the served models and exit")
  boolean list;

  @Option(names = "--status", description = "print the cluster status and exit")
  boolean status;

  @Override
  public Integer call() {
    ManagedChannel channel = PublicChannel.open(host, port, tls, tlsCa);
    try {
      GenerationServiceGrpc.GenerationServiceBlockingStub stub = GenerationServiceGrpc.newBlockingStub(channel)
          .withDeadlineAfter(timeout, TimeUnit.SECONDS);
      if (list) {
        System.out.print(TextFormat.printer().printToString(stub.listModels(ListModelsRequest.getDefaultInstance())));
        return 0;
      }
      if (status) {
        System.out.print(TextFormat.printer().printToString(
            stub.clusterStatus(ClusterStatusRequest.getDefaultInstance())));
        return 0;
      }
      return generate(stub);
    } catch (StatusRuntimeException e) {
      System.err.println("error: " + e.getStatus().getCode() + ": " + e.getStatus().getDescription());
      return e.getStatus().getCode() == Status.Code.INVALID_ARGUMENT ? 2 : 1;
    } finally {
      channel.shutdownNow();
    }
  }

  private int generate(GenerationServiceGrpc.GenerationServiceBlockingStub stub) {
    if ((prompt == null) == (ids == null)) {
      throw new IllegalArgumentException("give exactly one of --prompt or --ids");
    }
    GenerateRequest.Builder r = GenerateRequest.newBuilder().setChat(chat).setIncludeEvictions(evictions);
    if (prompt != null) {
      r.setPrompt(prompt);
    } else {
      for (int t : Ids.parse(ids)) {
        r.addPromptIds(t);
      }
    }
    if (model != null) {
      r.setModel(model);
    }
    generation.applyTo(r);
    PrintStream out = System.out;
    Iterator<GenerateEvent> it = stub.generate(r.build());
    while (it.hasNext()) {
      GenerateEvent e = it.next();
      if (events) {
        System.err.println(TextFormat.shortDebugString(e));
      }
      switch (e.getEventCase()) {
        case TEXT -> {
          out.print(e.getText().getText());
          out.flush();
        }
        case EVICTION -> {
          if (evictions && !events) {
            var d = e.getEviction().getDecision();
            System.err.printf("[layer %d on %s] budget %d, kept per head %s, %s -> %s%n", d.getLayer(),
                e.getEviction().getWorker(), d.getLayerBudget(), d.getKeptPerHeadList(),
                Bytes.human(d.getBytesBefore()), Bytes.human(d.getBytesAfter()));
          }
        }
        case QUEUED -> {
          if (!events) {
            System.err.printf("[queued: position %d, waited %.0f ms]%n", e.getQueued().getPosition(),
                e.getQueued().getWaitedMs());
          }
        }
        case SUMMARY -> {
          out.println();
          Summary m = e.getSummary();
          System.err.printf("prompt %d tokens, %d steps, %.1f ms prefill, %.2f ms/step after, %.1f ms total, "
                  + "KV held %s (prompt uncompressed: %s), finish %s%n", m.getPromptTokens(),
              m.getSteps(), m.getPrefillMs(), m.getMsPerStep(), m.getTotalMs(), Bytes.human(m.getKvBytesKept()),
              Bytes.human(m.getKvBytesPromptFull()), m.getFinishReason().name().replace("FINISH_REASON_", ""));
        }
        default -> {
          // started, steps: shown with --events
        }
      }
    }
    return 0;
  }
}
