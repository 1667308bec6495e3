package dev.ringmaster.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ringmaster.analysis.AnalysisActivitiesImpl;
import dev.ringmaster.analysis.MetricReading;
import dev.ringmaster.analysis.MetricSource;
import dev.ringmaster.analysis.SoakClock;
import dev.ringmaster.connection.AdapterFactory;
import dev.ringmaster.connection.Adapters;
import dev.ringmaster.connection.Connection;
import dev.ringmaster.connection.ConnectionRegistry;
import dev.ringmaster.definition.RolloutDefinition.Metric;
import dev.ringmaster.support.FakeActivities;
import dev.ringmaster.support.TemporalTests;
import dev.ringmaster.support.TestDefinitions;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.Worker;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
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
    MetricSource healthy = new MetricSource() {
      @Override
      public MetricReading read(Metric m) {
        reads.incrementAndGet();
        return new MetricReading(m.name(), 0.001, 0.001, 1000.0);
      }

      @Override
      public void check(Metric m) {}
    };
    AdapterFactory<MetricSource> factory = new AdapterFactory<>() {
      @Override
      public String kind() {
        return "prometheus";
      }

      @Override
      public MetricSource create(Connection c) {
        return healthy;
      }
    };
    Adapters<MetricSource> sources = new Adapters<>("analysis",
        new ConnectionRegistry(Map.of("prom", Map.of("kind", "prometheus"))), List.of(factory));
    AtomicReference<Instant> virtualNow = new AtomicReference<>(Instant.ofEpochMilli(env.currentTimeMillis()));
    SoakClock virtual = new SoakClock() {
      @Override
      public Instant now() {
        return virtualNow.get();
      }

      @Override
      public void sleepUntil(Instant until, Runnable heartbeat) {
        heartbeat.run();
        virtualNow.accumulateAndGet(until, (a, b) -> a.isAfter(b) ? a : b);
      }
    };
    FakeActivities others = new FakeActivities();
    worker.registerActivitiesImplementations(others, new AnalysisActivitiesImpl(sources, virtual));
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
}
