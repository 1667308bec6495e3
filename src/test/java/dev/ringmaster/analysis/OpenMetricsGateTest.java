package dev.ringmaster.analysis;

import dev.ringmaster.support.TrafficTarget;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The gate scenarios through the openmetrics source, scraping the target directly: no Prometheus involved. */
class OpenMetricsGateTest extends GateScenarios {

  @BeforeAll
  static void start() {
    target = new TrafficTarget();
  }

  @AfterAll
  static void stop() {
    target.close();
  }

  @Override
  String connection() {
    return "scrape";
  }

  @Override
  Map<String, String> settings() {
    return Map.of("kind", "openmetrics", "url", target.metricsUrl(), "window", "2s", "timeout", "2s", "tripwire-every", "500ms");
  }

  @Override
  String metrics() {
    return """
        - name: error-rate
          canary: ratio(http_requests_total{flag="on",code=~"5.."}, http_requests_total{flag="on"})
          control: ratio(http_requests_total{flag="off",code=~"5.."}, http_requests_total{flag="off"})
          samples: increase(http_requests_total{flag="on"})
          failIf: canary > control + 0.05
        - name: p99-latency
          canary: quantile(0.99, http_request_duration_seconds{flag="on"})
          control: quantile(0.99, http_request_duration_seconds{flag="off"})
          failIf: canary > control * 1.5
        """;
  }

  /** A check every 500 ms (twice the default, so one 0.6 s burst spans one or two windows), each over the scrapes since the previous one (tripwire-window = tripwire-every). */
  @Override
  String tripwire(int consecutive) {
    return """
        - name: error-spike
          canary: ratio(http_requests_total{flag="on",code=~"5.."}, http_requests_total{flag="on"})
          samples: increase(http_requests_total{flag="on"})
          failIf: canary > 0.2
          minSamples: 20
          consecutive: %d
        """.formatted(consecutive);
  }

  @Override
  String brokenQuery() {
    return "avg(http_requests_total{flag=\"on\"})";
  }

  @Override
  String brokenQueryMessage() {
    return "metric error-rate, canary: 'avg(http_requests_total{flag=\"on\"})' is not an openmetrics expression: expected increase(sel)";
  }

  @Override
  void stopSource() {
    target.down = true;
  }

  @Override
  void restoreSource() {
    target.down = false;
  }
}
