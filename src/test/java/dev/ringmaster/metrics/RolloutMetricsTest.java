package dev.ringmaster.metrics;

import static dev.ringmaster.metrics.RolloutFiguresTest.NOW;
import static dev.ringmaster.metrics.RolloutFiguresTest.ago;
import static dev.ringmaster.metrics.RolloutFiguresTest.rollout;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ringmaster.analysis.Outcome;
import dev.ringmaster.pipeline.Phase;
import dev.ringmaster.pipeline.State;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The gauges follow each refresh's figures, and a scrape during a refresh never finds a row missing. */
class RolloutMetricsTest {
  final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  final RolloutMetrics metrics = new RolloutMetrics(null, registry, Duration.ofSeconds(15));

  static RolloutFigures soaking(int n, String... finishedServices) {
    List<dev.ringmaster.pipeline.RolloutStatus> all = new java.util.ArrayList<>();
    for (int i = 0; i < n; i++) all.add(rollout("soaking-" + i, "1.0.0", Phase.SOAKING, State.RUNNING, ago(Duration.ofMinutes(5)), NOW, null, null, null, Map.of()));
    for (String s : finishedServices) all.add(rollout(s, "1.0.0", Phase.SUCCEEDED, State.SUCCEEDED, ago(Duration.ofMinutes(30)), NOW, null, null, null, Map.of(Outcome.PASSED, 3)));
    return RolloutFigures.of(all, NOW);
  }

  Gauge gauge(String name, String... tags) {
    return registry.find(name).tags(tags).gauge();
  }

  @Test
  void theGaugesFollowEachRefreshAndRowsThatAreGoneAreRemoved() {
    metrics.publish(soaking(3, "checkout"));
    assertThat(gauge("ringmaster.rollouts", "phase", "SOAKING", "state", "RUNNING").value()).isEqualTo(3);
    assertThat(gauge("ringmaster.dora.rollouts", "service", "checkout", "state", "succeeded").value()).isEqualTo(1);
    assertThat(gauge("ringmaster.gate.measurements", "verdict", "PASSED").value()).isEqualTo(3);

    metrics.publish(soaking(5, "payments"));
    assertThat(gauge("ringmaster.rollouts", "phase", "SOAKING", "state", "RUNNING").value()).as("the same row, the new figure").isEqualTo(5);
    assertThat(gauge("ringmaster.dora.rollouts", "service", "payments", "state", "succeeded").value()).isEqualTo(1);
    assertThat(gauge("ringmaster.dora.lead.time", "service", "payments").value()).isEqualTo(1800);
    assertThat(gauge("ringmaster.dora.rollouts", "service", "checkout", "state", "succeeded")).as("a service no longer among the rollouts").isNull();
    assertThat(gauge("ringmaster.dora.lead.time", "service", "checkout")).isNull();

    metrics.publish(soaking(0));
    assertThat(gauge("ringmaster.rollouts", "phase", "SOAKING", "state", "RUNNING")).as("no rollout soaks any more").isNull();
  }

  @Test
  void aScrapeDuringARefreshNeverFindsARowMissing() throws Exception {
    RolloutFigures a = soaking(3, "checkout"), b = soaking(4, "checkout");
    metrics.publish(a);
    AtomicBoolean done = new AtomicBoolean();
    AtomicInteger refreshes = new AtomicInteger();
    Thread refresher = new Thread(() -> {
      for (int i = 0; i < 20_000; i++) {
        metrics.publish(i % 2 == 0 ? b : a);
        refreshes.incrementAndGet();
      }
      done.set(true);
    });
    refresher.start();
    int reads = 0, missing = 0;
    while (!done.get()) {
      reads++;
      if (gauge("ringmaster.rollouts", "phase", "SOAKING", "state", "RUNNING") == null) missing++;
      if (gauge("ringmaster.dora.rollouts", "service", "checkout", "state", "succeeded") == null) missing++;
    }
    refresher.join();
    assertThat(refreshes.get()).isEqualTo(20_000);
    assertThat(reads).as("the reader ran alongside the refreshes").isGreaterThan(100);
    assertThat(missing).as("reads that found a row missing, of %d", reads).isZero();
  }
}
