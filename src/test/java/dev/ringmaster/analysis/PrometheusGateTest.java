package dev.ringmaster.analysis;

import dev.ringmaster.analysis.prometheus.PrometheusSourceFactory;
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
    // tripwires checked at the scrape interval, so that each check sees one new scrape: the scenarios' counts hold exactly
    return Map.of("kind", "prometheus", "url", prometheus.url(), "timeout", "2s", "tripwire-every", "1s");
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

  /** irate: the last two scrapes (1 s apart), so a check sees about the last second. */
  @Override
  String tripwire(int consecutive) {
    return """
        - name: error-spike
          canary: sum(irate(http_requests_total{flag="on",code=~"5.."}[3s])) / sum(irate(http_requests_total{flag="on"}[3s]))
          samples: sum(irate(http_requests_total{flag="on"}[3s]))
          failIf: canary > 0.2
          minSamples: 20
          consecutive: %d
        """.formatted(consecutive);
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

  /** Each query must give one number: what else comes back is reported as such, never guessed. */
  @org.junit.jupiter.api.Test
  void manySeriesNaNAndNoDataAreReportedAsSuchAndAnUnreachablePrometheusIsAnError() throws Exception {
    MetricSource source = new PrometheusSourceFactory().create(new dev.ringmaster.connection.Connection("prom", "prometheus", settings()));
    org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20)).ignoreExceptions()
        .until(() -> source.read(metric("sum(http_requests_total)")).canary() != null);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> source.read(metric("http_requests_total")))
        .hasMessageStartingWith("metric m: the canary query returned 4 series, not one: {\"__name__\":\"http_requests_total\"")
        .hasMessageEndingWith("(aggregate it, e.g. sum(...))");
    org.assertj.core.api.Assertions.assertThat(source.read(metric("vector(0) / vector(0)")).canary()).isNaN();
    org.assertj.core.api.Assertions.assertThat(source.read(metric("http_requests_total{flag=\"nope\"}")).canary()).isNull();
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> source.read(metric("http_requests_total[5s]")))
        .hasMessageContaining("returned a matrix, not an instant vector or scalar");

    int closed;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      closed = s.getLocalPort();
    }
    MetricSource down = new PrometheusSourceFactory().create(new dev.ringmaster.connection.Connection("prom", "prometheus",
        Map.of("kind", "prometheus", "url", "http://127.0.0.1:" + closed)));
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> down.read(metric("up")))
        .isNotInstanceOf(dev.ringmaster.connection.PermanentFailure.class)
        .hasMessageStartingWith("connection 'prom': Prometheus at http://127.0.0.1:" + closed + " is unreachable");
  }

  private static dev.ringmaster.definition.RolloutDefinition.Metric metric(String query) {
    return new dev.ringmaster.definition.RolloutDefinition.Metric("m", query, null, null, "canary > 1");
  }
}
