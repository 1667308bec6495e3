package dev.ringmaster.devserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ringmaster.devserver.DevServer.PidFile;
import dev.ringmaster.support.RingmasterProcess;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ringmaster's own metrics come from Temporal, not from counters in a process: after a release and an aborted one,
 * {@code /actuator/prometheus} shows the DORA figures and the rollback by reason; a SIGKILLed Ringmaster's successor
 * (real processes, the dev server outliving them) shows the very same figures.
 */
@Timeout(300)
class MetricsRestartTest {
  static final HttpClient HTTP = HttpClient.newHttpClient();
  static final List<String> FIGURES = List.of("ringmaster_dora_rollouts{service=\"example\",state=\"succeeded\"}",
      "ringmaster_dora_rollouts{service=\"example\",state=\"rolled_back\"}", "ringmaster_dora_change_failure_rate{service=\"example\"}",
      "ringmaster_dora_deployments_per_day{service=\"example\"}", "ringmaster_dora_lead_time_seconds{service=\"example\"}",
      "ringmaster_dora_time_to_restore_seconds{service=\"example\"}", "ringmaster_rollbacks{reason=\"abort\"}", "ringmaster_rollbacks{reason=\"gate\"}",
      "ringmaster_rollouts{phase=\"SUCCEEDED\",state=\"SUCCEEDED\"}", "ringmaster_rollouts{phase=\"ROLLED_BACK\",state=\"ROLLED_BACK\"}");
  @TempDir Path work;
  private final List<RingmasterProcess> processes = new ArrayList<>();
  private int temporalPort;

  @AfterEach
  void stopEverything() throws Exception {
    for (RingmasterProcess p : processes) p.close();
    PidFile.live(work.resolve("var/temporal-dev-server.pid")).flatMap(f -> ProcessHandle.of(f.pid())).ifPresent(ProcessHandle::destroyForcibly);
  }

  RingmasterProcess ringmaster() throws Exception {
    Map<String, String> props = ProcessCrashTest.localProperties(work, temporalPort);
    props.put("ringmaster.metrics.refresh", "1s");
    RingmasterProcess p = RingmasterProcess.start(work, props);
    processes.add(p);
    return p.awaitReady(Duration.ofSeconds(90));
  }

  /** The figures as {@code /actuator/prometheus} shows them (loopback needs no token), by series. */
  static Map<String, Double> figures(RingmasterProcess p) throws Exception {
    String text = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + p.port() + "/actuator/prometheus")).build(),
        HttpResponse.BodyHandlers.ofString()).body();
    Map<String, Double> out = new LinkedHashMap<>();
    for (String series : FIGURES) {
      Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(text);
      if (m.find()) out.put(series, Double.parseDouble(m.group(1)));
    }
    return out;
  }

  @Test
  void theFiguresComeFromTemporalAndSurviveACrash() throws Exception {
    temporalPort = RingmasterProcess.freePort();
    RingmasterProcess first = ringmaster();
    assertThat(first.call("POST", "/api/rollouts", ProcessCrashTest.rollout("dora", "1.0.0", "1s")).status()).isEqualTo(201);
    ProcessCrashTest.awaitStatus(first, "rollout-example-1.0.0", "state", "SUCCEEDED", Duration.ofSeconds(90));
    assertThat(first.call("POST", "/api/rollouts", ProcessCrashTest.rollout("dora", "1.0.1", "1h")).status()).isEqualTo(201);
    ProcessCrashTest.awaitStatus(first, "rollout-example-1.0.1", "phase", "SOAKING", Duration.ofSeconds(60));
    assertThat(first.call("POST", "/api/rollouts/rollout-example-1.0.1/abort", ProcessCrashTest.JSON.createObjectNode().put("by", "sre").put("reason", "latency alert")).status()).isEqualTo(202);
    ProcessCrashTest.awaitStatus(first, "rollout-example-1.0.1", "state", "ROLLED_BACK", Duration.ofSeconds(60));

    Map<String, Double> before = await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
        .until(() -> figures(first), f -> f.size() == FIGURES.size() && f.get(FIGURES.get(2)) == 0.5);
    assertThat(before.get("ringmaster_dora_rollouts{service=\"example\",state=\"succeeded\"}")).isEqualTo(1.0);
    assertThat(before.get("ringmaster_dora_rollouts{service=\"example\",state=\"rolled_back\"}")).isEqualTo(1.0);
    assertThat(before.get("ringmaster_dora_deployments_per_day{service=\"example\"}")).isEqualTo(1 / 7.0, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(before.get("ringmaster_dora_lead_time_seconds{service=\"example\"}")).as("trigger → SUCCEEDED").isBetween(1.0, 90.0);
    assertThat(before.get("ringmaster_dora_time_to_restore_seconds{service=\"example\"}")).as("rollback start → ROLLED_BACK").isBetween(0.0, 60.0);
    assertThat(before.get("ringmaster_rollbacks{reason=\"abort\"}")).isEqualTo(1.0);
    assertThat(before.get("ringmaster_rollbacks{reason=\"gate\"}")).isEqualTo(0.0);
    assertThat(before.get("ringmaster_rollouts{phase=\"SUCCEEDED\",state=\"SUCCEEDED\"}")).isEqualTo(1.0);

    // Every Ringmaster metric the Grafana dashboard (dashboards/ringmaster.json) charts is one this process exports.
    String scraped = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + first.port() + "/actuator/prometheus")).build(),
        HttpResponse.BodyHandlers.ofString()).body();
    Matcher used = Pattern.compile("ringmaster_[a-z_]+").matcher(java.nio.file.Files.readString(Path.of("dashboards/ringmaster.json")));
    int charted = 0;
    while (used.find()) {
      charted++;
      assertThat(scraped).as("the dashboard charts " + used.group()).containsPattern("(?m)^" + used.group() + "[{ ]");
    }
    assertThat(charted).isGreaterThan(10);
    // Requests are observed (http_server_requests), Spring Security's filters are not: each of its filters timed on
    // every call cost CPU with nothing reading it (application.yaml, management.observations.enable).
    assertThat(scraped).containsPattern("(?m)^http_server_requests_seconds_count\\{").doesNotContain("spring_security_");

    first.kill();
    RingmasterProcess second = ringmaster();
    Map<String, Double> after = await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
        .until(() -> figures(second), f -> f.size() == FIGURES.size());
    assertThat(after).as("the same figures after a SIGKILL and a new process").isEqualTo(before);
  }
}
