package dev.ringmaster.analysis.openmetrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ringmaster.analysis.MetricReading;
import dev.ringmaster.connection.Connection;
import dev.ringmaster.definition.RolloutDefinition.Metric;
import dev.ringmaster.demo.DemoService;
import dev.ringmaster.demo.LoadGenerator;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The gates the demo definition uses, read by the openmetrics source from the demo service's Micrometer metrics. */
class DemoServiceGatesTest {
  @TempDir Path dir;

  @Test
  void errorRateAndLatencyOfABadVersionSeparateCanaryFromControl() throws Exception {
    Path flags = dir.resolve("flags.json");
    Path version = dir.resolve("running-version");
    Files.writeString(version, "1.0.1-bad\n");
    Files.writeString(flags, """
        {"flags": {"new-greeting-1-0-1": {"state": "ENABLED", "variants": {"on": true, "off": false}, "defaultVariant": "off",
          "targeting": {"if": [{"in": [{"var": "tenantId"}, ["acme-internal"]]}, "on", "off"]}}}}
        """);
    try (DemoService demo = DemoService.start(0, flags, version, 0.3, Duration.ofMillis(300));
        LoadGenerator load = LoadGenerator.start(demo.url(), 250, 1000)) {
      // ~75 flag-on requests in the 3 s window, each failing with probability 0.3: the 0.1-0.6 band is ~3.8 standard
      // deviations below and ~5.7 above (at 100 requests a second, ~30 in the window, it was ~2.4 below)
      OpenMetricsSource source = new OpenMetricsSource(new Connection("demo", "openmetrics",
          Map.of("url", demo.url() + "/metrics", "window", "3s")), HttpClient.newHttpClient());
      Thread.sleep(1000);
      MetricReading errors = source.read(new Metric("error-rate", "ratio(http_requests_total{flag=\"on\",code=~\"5..\"}, http_requests_total{flag=\"on\"})",
          "ratio(http_requests_total{flag=\"off\",code=~\"5..\"}, http_requests_total{flag=\"off\"})", "increase(http_requests_total{flag=\"on\"})",
          "canary > control + 0.05"));
      MetricReading p99 = source.read(new Metric("p99-latency", "quantile(0.99, http_request_duration_seconds{flag=\"on\"})",
          "quantile(0.99, http_request_duration_seconds{flag=\"off\"})", null, "canary > control * 2"));

      assertThat(errors.control()).isZero();
      assertThat(errors.canary()).isBetween(0.1, 0.6);
      assertThat(errors.samples()).isGreaterThan(40);
      assertThat(p99.canary()).isGreaterThan(0.25);
      assertThat(p99.control()).isLessThan(0.05);
    }
  }
}
