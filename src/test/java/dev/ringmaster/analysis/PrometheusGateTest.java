package dev.ringmaster.analysis;

import dev.ringmaster.support.PrometheusServer;
import dev.ringmaster.support.TrafficTarget;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The gate scenarios through the prometheus source, against a real Prometheus scraping the target every second. */
class PrometheusGateTest extends GateScenarios {
  static PrometheusServer prometheus;

  @BeforeAll
  static void start() throws Exception {
    target = new TrafficTarget();
    prometheus = PrometheusServer.scraping("127.0.0.1:" + target.port());
  }

  @AfterAll
  static void stop() {
    if (prometheus != null) prometheus.close();
    if (target != null) target.close();
  }

  @Override
  String connection() {
    return "prom";
  }

  @Override
  Map<String, String> settings() {
    return Map.of("kind", "prometheus", "url", prometheus.url(), "timeout", "2s");
  }

  @Override
  String metrics() {
    return """
        - name: error-rate
          canary: sum(rate(http_requests_total{flag="on",code=~"5.."}[5s])) / sum(rate(http_requests_total{flag="on"}[5s]))
          control: sum(rate(http_requests_total{flag="off",code=~"5.."}[5s])) / sum(rate(http_requests_total{flag="off"}[5s]))
          samples: sum(increase(http_requests_total{flag="on"}[5s]))
          failIf: canary > control + 0.05
        - name: p99-latency
          canary: histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{flag="on"}[5s])))
          control: histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{flag="off"}[5s])))
          failIf: canary > control * 1.5
        """;
  }

  @Override
  String brokenQuery() {
    return "sum(rate(http_requests_total{flag=\"on\"}[5s])";
  }

  @Override
  String brokenQueryMessage() {
    return "metric error-rate: Prometheus rejected the canary query `sum(rate(http_requests_total{flag=\"on\"}[5s])`: bad_data: ";
  }

  @Override
  void stopSource() {
    prometheus.close();
  }

  @Override
  void restoreSource() throws Exception {
    prometheus = PrometheusServer.scraping("127.0.0.1:" + target.port());
  }
}
