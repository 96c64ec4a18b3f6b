package io.maskkv.controller.metrics;

import io.maskkv.controller.Admission;
import io.maskkv.controller.SessionManager;
import io.maskkv.controller.WorkerNode;
import io.maskkv.controller.WorkerRegistry;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;

/** {@code GET /metrics} (also {@code /prometheus}): the Prometheus text format; open like health, no token. */
@Controller
public class MetricsEndpoint {
  private final ServingMetrics metrics;
  private final WorkerRegistry registry;

  public MetricsEndpoint(ServingMetrics metrics, WorkerRegistry registry, SessionManager sessions,
      Admission admission) {
    this.metrics = metrics;
    this.registry = registry;
    metrics.sessions(sessions::active, admission::waiting);
  }

  @Get(uris = {"/metrics", "/prometheus"}, produces = "text/plain; version=0.0.4; charset=utf-8")
  public HttpResponse<String> scrape() {
    for (WorkerNode w : registry.all()) {
      metrics.worker(w.id(), w, n -> n.healthy() ? 1 : 0, n -> n.info() == null ? 0 : n.info().getFreeBytes(),
          n -> n.info() == null ? 0 : n.info().getUsedBytes(), n -> n.info() == null ? 0 : n.info().getSessions());
    }
    return HttpResponse.ok(metrics.scrape()).contentType(MediaType.of("text/plain; version=0.0.4; charset=utf-8"));
  }
}
