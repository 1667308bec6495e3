package dev.ringmaster.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ringmaster.analysis.AnalysisActivitiesImpl;
import dev.ringmaster.analysis.MetricReading;
import dev.ringmaster.analysis.MetricSource;
import dev.ringmaster.analysis.SoakClock;
import dev.ringmaster.connection.Adapters;
import dev.ringmaster.definition.RolloutDefinition.Metric;
import dev.ringmaster.definition.DefinitionValidator;
import dev.ringmaster.support.DefinitionBuilder;
import dev.ringmaster.support.FakeActivities;
import dev.ringmaster.support.TemporalTests;
import dev.ringmaster.support.TestDefinitions;
import dev.ringmaster.support.TestRollouts;
import dev.ringmaster.support.TestSources;
import io.temporal.api.history.v1.History;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.Worker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import static org.awaitility.Awaitility.await;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A 24 h soak with gates every 10 s is 8,640 measurements. They run inside one heartbeating WatchSoak activity
 * (the real one, on a virtual clock), so the whole rollout's history stays far below Temporal's limits.
 */
class HistorySizeTest {
  static final String DAY_LONG_SOAK = TestDefinitions.WITH_ANALYSIS.replace("interval: 30s", "interval: 10s").replace("soak: 2h", "soak: 24h");

  @RegisterExtension
  static final TestWorkflowExtension temporal = TemporalTests.rolloutExtension();

  @Test
  @Timeout(120)
  void aDayLongSoakWithGatesEveryTenSecondsKeepsTheHistoryUnderAThousandEvents(
      TestWorkflowEnvironment env, WorkflowClient client, Worker worker) {
    AtomicInteger reads = new AtomicInteger();
    worker.registerActivitiesImplementations(new FakeActivities(), new AnalysisActivitiesImpl(healthySource(reads), virtualClock(env)));
    env.start();

    RolloutRequest req = TestDefinitions.request(DAY_LONG_SOAK, "2.0.0", "dave");
    RolloutWorkflow wf = client.newWorkflowStub(RolloutWorkflow.class,
        WorkflowOptions.newBuilder().setWorkflowId(req.rolloutId()).setTaskQueue(worker.getTaskQueue()).build());
    RolloutResult result = wf.run(req);

    assertThat(result.state()).isEqualTo(State.SUCCEEDED);
    // one every 10 s for 24 h, plus one at the very end when the soak does not end on an interval boundary
    assertThat(result.status().rings().get(0).measurements().measurements()).isBetween(8640, 8641);
    assertThat(reads.get()).isGreaterThanOrEqualTo(8640);
    int events = client.fetchHistory(req.rolloutId()).getHistory().getEventsCount();
    System.out.println("HISTORY-SIZE: 24h soak, 10s interval, " + result.status().rings().get(0).measurements().measurements()
        + " measurements in ring canary -> " + events + " history events for the whole rollout");
    assertThat(events).isLessThan(1000);
  }

  /**
   * The largest rollout the validator allows: {@link DefinitionValidator#MAX_RINGS} rings of 24 h soaks with gates
   * every 10 s (every second, the shortest interval, with {@code -Dringmaster.history.interval=1s}: the same history,
   * since the chart series are capped, in ten times the time) on {@link DefinitionValidator#MAX_METRICS} metrics, an approval of quorum
   * {@link DefinitionValidator#MAX_QUORUM} on every ring and on the contract, an expand/contract migration. Events and
   * bytes against Temporal's limits (51,200 events, 50 MB per history; 2 MB per payload).
   */
  @Test
  @Timeout(300)
  void theLargestRolloutTheValidatorAllowsStaysFarBelowTemporalsHistoryLimits(TestWorkflowEnvironment env, WorkflowClient client, Worker worker) throws Exception {
    int rings = Integer.getInteger("ringmaster.history.rings", DefinitionValidator.MAX_RINGS);
    String interval = System.getProperty("ringmaster.history.interval", "10s");
    AtomicInteger reads = new AtomicInteger();
    AtomicReference<Instant> soakedUntil = new AtomicReference<>(Instant.ofEpochMilli(env.currentTimeMillis()));
    worker.registerActivitiesImplementations(new FakeActivities(), new AnalysisActivitiesImpl(healthySource(reads), virtualClock(env, soakedUntil)));
    env.start();

    String yaml = TestDefinitions.largest(rings, DefinitionValidator.MAX_METRICS, DefinitionValidator.MAX_QUORUM, interval);
    RolloutRequest req = TestDefinitions.request(yaml, "9.0.0", "dave");
    RolloutWorkflow wf = TestRollouts.start(client, worker, req);
    int decided = 0;
    while (true) {
      RolloutStatus s = TestRollouts.awaitStatus(env, wf, st -> st.awaiting() != null || st.state() != State.RUNNING, "an approval or the end");
      if (s.awaiting() == null) break;
      // the day the soak took on its virtual clock passes for the workflow too, before the approvers decide
      Duration behind = Duration.between(Instant.ofEpochMilli(env.currentTimeMillis()), soakedUntil.get());
      if (!behind.isNegative()) env.sleep(behind.plusSeconds(1));
      for (int q = 1; q <= DefinitionValidator.MAX_QUORUM; q++) {
        wf.approve(new Decision("approver-" + q, "looks good after 24 h", "rest", List.of(), s.awaiting()));
      }
      decided++;
      await().atMost(Duration.ofSeconds(30)).until(() -> !s.awaiting().equals(wf.status().awaiting()));
    }
    RolloutResult result = TestRollouts.result(wf);
    long perRing = Duration.ofHours(24).dividedBy(dev.ringmaster.definition.Durations.parse(interval));
    History history = client.fetchHistory(req.rolloutId()).getHistory();
    int events = history.getEventsCount();
    long bytes = history.getSerializedSize();
    long largestEvent = history.getEventsList().stream().mapToLong(HistoryEvent::getSerializedSize).max().orElse(0);
    String row = String.format("| %d rings × 24 h soak, gates every %s on %d metrics (%,d measurements), approval quorum %d on every ring and the contract, migration | %,d | %.2f MB | %,d KB |",
        rings, interval, DefinitionValidator.MAX_METRICS, perRing * rings, DefinitionValidator.MAX_QUORUM, events, bytes / 1e6, largestEvent / 1024);
    System.out.println("HISTORY-SIZE: " + row);
    Path out = Path.of("target/benchmarks/history-size.md");
    Files.createDirectories(out.getParent());
    Files.writeString(out, row + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    assertThat(result.state()).as(result.message()).isEqualTo(State.SUCCEEDED);
    assertThat(decided).isEqualTo(rings + 1);
    assertThat(result.status().approvals()).hasSize((rings + 1) * DefinitionValidator.MAX_QUORUM);
    assertThat(result.status().rings()).allSatisfy(r -> assertThat(r.measurements().measurements()).isBetween((int) perRing, (int) perRing + 1));

    assertThat(events).as("Temporal warns at 10,240 events").isLessThan(10_240);
    assertThat(bytes).as("history bytes; Temporal's limit is 50 MB").isLessThan(10_000_000);
    assertThat(largestEvent).as("largest event (the result, which carries the status); Temporal refuses payloads over 2 MB").isLessThan(2 * 1024 * 1024);
  }

  /** Every metric healthy, on a connection named {@code prom}. */
  static Adapters<MetricSource> healthySource(AtomicInteger reads) {
    MetricSource healthy = new MetricSource() {
      @Override
      public MetricReading read(Metric m) {
        reads.incrementAndGet();
        return new MetricReading(m.name(), 0.001, 0.001, 1000.0);
      }

      @Override
      public void check(Metric m) {}
    };
    return TestSources.prom(healthy);
  }

  /** A soak clock that never waits: each sleep moves it on, so a day-long soak runs in seconds. */
  static SoakClock virtualClock(TestWorkflowEnvironment env) {
    return virtualClock(env, new AtomicReference<>(Instant.ofEpochMilli(env.currentTimeMillis())));
  }

  static SoakClock virtualClock(TestWorkflowEnvironment env, AtomicReference<Instant> virtualNow) {
    return new SoakClock() {
      @Override
      public Instant now() {
        // never behind the workflow's clock, which the test server skips forward while approvals are awaited
        return virtualNow.accumulateAndGet(Instant.ofEpochMilli(env.currentTimeMillis()), (a, b) -> a.isAfter(b) ? a : b);
      }

      @Override
      public void sleepUntil(Instant until, Runnable heartbeat) {
        heartbeat.run();
        virtualNow.accumulateAndGet(until, (a, b) -> a.isAfter(b) ? a : b);
      }
    };
  }
}
