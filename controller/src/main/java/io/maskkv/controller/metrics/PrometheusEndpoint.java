package io.maskkv.controller.metrics;

import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Produces;

/** {@code GET /prometheus}: the controller's series in Prometheus' text format. */
@Controller("/prometheus")
public class PrometheusEndpoint {
  private final ServingMetrics metrics;

  public PrometheusEndpoint(ServingMetrics metrics) {
    this.metrics = metrics;
  }

  @Get
  @Produces("text/plain; version=0.0.4; charset=utf-8")
  public String scrape() {
    return metrics.scrape();
  }
}
