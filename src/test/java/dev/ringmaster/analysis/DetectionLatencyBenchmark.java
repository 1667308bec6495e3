package dev.ringmaster.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import static org.awaitility.Awaitility.await;

import dev.ringmaster.analysis.prometheus.PrometheusSourceFactory;
import dev.ringmaster.connection.AdapterFactory;
import dev.ringmaster.connection.Adapters;
import dev.ringmaster.connection.Connection;
import dev.ringmaster.connection.ConnectionRegistry;
import dev.ringmaster.definition.RolloutDefinition.Metric;
import dev.ringmaster.flags.FlagChange;
import dev.ringmaster.flags.FlagTarget;
import dev.ringmaster.pipeline.Phase;
import dev.ringmaster.pipeline.RolloutResult;
import dev.ringmaster.pipeline.RolloutWorkflow;
import dev.ringmaster.pipeline.RolloutWorkflowImpl;
import dev.ringmaster.pipeline.State;
import dev.ringmaster.support.DefinitionBuilder;
import dev.ringmaster.support.FakeActivities;
import dev.ringmaster.support.PrometheusServer;
import dev.ringmaster.support.TestDefinitions;
import dev.ringmaster.support.TestRollouts;
import dev.ringmaster.support.TrafficTarget;
import io.temporal.client.WorkflowStub;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Detection latency of metric gates, end to end: a rollout soaking with gates every 5 s on a real Prometheus
 * (1 s scrapes, 5 s rate windows); at a random moment the canary starts answering 30 % 5xx; measured from that
 * moment to the first FAILED measurement and to the kill switch (flag off). Not a test: run it with
 * <pre>mvn test -Dtest=DetectionLatencyBenchmark -Dringmaster.benchmark=true -Dringmaster.benchmark.runs=20</pre>
 * Results go to the console and target/benchmarks/detection-latency.md; BENCHMARKS.md keeps the figures.
 */
class DetectionLatencyBenchmark {
  static final int RUNS = Integer.getInteger("ringmaster.benchmark.runs", 20);

  /** Records when the kill switch was asked for. */
  static final class Timed extends FakeActivities {
    final AtomicLong killSwitchAt = new AtomicLong();

    @Override
    public FlagChange killSwitch(FlagTarget flag) {
      killSwitchAt.compareAndSet(0, System.currentTimeMillis());
      return super.killSwitch(flag);
    }
  }

  @Test
  void detectionLatency() throws Exception {
    Assumptions.assumeTrue(Boolean.getBoolean("ringmaster.benchmark"), "a benchmark: run with -Dringmaster.benchmark=true");
    StringBuilder report = new StringBuilder("| failureLimit | runs | first FAILED p50 | p99 | flag off p50 | p99 |\n|---|---|---|---|---|---|\n");
    try (TrafficTarget target = new TrafficTarget(); PrometheusServer prometheus = PrometheusServer.scraping("127.0.0.1:" + target.port())) {
      for (int failureLimit : new int[] {1, 2}) {
        List<Long> failed = new ArrayList<>();
        List<Long> off = new ArrayList<>();
        for (int run = 0; run < RUNS; run++) {
          long[] r = oneRun(target, prometheus, failureLimit, run);
          failed.add(r[0]);
          off.add(r[1]);
          System.out.printf("failureLimit %d run %d: first FAILED after %d ms, flag off after %d ms%n", failureLimit, run, r[0], r[1]);
        }
        assertThat(failed).as("measured runs with failureLimit %d", failureLimit).hasSize(RUNS).isNotEmpty().allMatch(ms -> ms > 0);
        report.append("| ").append(failureLimit).append(" | ").append(RUNS).append(" | ").append(pct(failed, 50)).append(" | ")
            .append(pct(failed, 99)).append(" | ").append(pct(off, 50)).append(" | ").append(pct(off, 99)).append(" |\n");
      }
    }
    System.out.println(report);
    Path out = Path.of("target/benchmarks/detection-latency.md");
    Files.createDirectories(out.getParent());
    Files.writeString(out, report.toString());
  }

  private long[] oneRun(TrafficTarget target, PrometheusServer prometheus, int failureLimit, int run) throws Exception {
    target.reset();
    AtomicLong firstFailed = new AtomicLong();
    AdapterFactory<MetricSource> timed = new AdapterFactory<>() {
      @Override
      public String kind() {
        return "prometheus";
      }

      @Override
      public MetricSource create(Connection c) {
        MetricSource real = new PrometheusSourceFactory().create(c);
        return new MetricSource() {
          @Override
          public MetricReading read(Metric m) {
            MetricReading r = real.read(m);
            if (GateEvaluator.judge(100, m, r, null).outcome() == Outcome.FAILED) firstFailed.compareAndSet(0, System.currentTimeMillis());
            return r;
          }

          @Override
          public void check(Metric m) {
            real.check(m);
          }
        };
      }
    };
    ConnectionRegistry registry = new ConnectionRegistry(Map.of("prom", Map.of("kind", "prometheus", "url", prometheus.url())));
    Timed activities = new Timed();
    TestWorkflowEnvironment env = TestWorkflowEnvironment.newInstance();
    try {
      dev.ringmaster.pipeline.RolloutSearchAttributes.ALL.forEach(k ->
          env.registerSearchAttribute(k.getName(), io.temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD));
      Worker worker = env.newWorker("bench");
      worker.registerWorkflowImplementationTypes(RolloutWorkflowImpl.class);
      worker.registerActivitiesImplementations(activities,
          new AnalysisActivitiesImpl(new Adapters<MetricSource>("analysis", registry, List.of(timed)), SoakClock.SYSTEM));
      env.start();
      String yaml = DefinitionBuilder.checkout().analysis("prom", "5s", failureLimit, 10, 100, """
          - name: error-rate
            canary: sum(rate(http_requests_total{flag="on",code=~"5.."}[5s])) / sum(rate(http_requests_total{flag="on"}[5s]))
            control: sum(rate(http_requests_total{flag="off",code=~"5.."}[5s])) / sum(rate(http_requests_total{flag="off"}[5s]))
            samples: sum(increase(http_requests_total{flag="on"}[5s]))
            failIf: canary > control + 0.05
          """).ring("canary", "{ percent: 5 }", "10m").ring("everyone", "{ percent: 100 }", "10m").yaml();
      var req = TestDefinitions.request(yaml, "bench-" + failureLimit + "-" + run, "bench");
      RolloutWorkflow wf = TestRollouts.start(env.getWorkflowClient(), worker, req);
      await().atMost(Duration.ofSeconds(30)).until(() -> wf.status().phase() == Phase.SOAKING);
      Thread.sleep(6000 + ThreadLocalRandom.current().nextLong(5000)); // a healthy window first, then a random phase
      target.injectErrorsOn(0.3);
      long started = target.regressionStartedAt;
      RolloutResult r = WorkflowStub.fromTyped(wf).getResultAsync(RolloutResult.class).get(120, TimeUnit.SECONDS);
      if (r.state() != State.ROLLED_BACK) throw new AssertionError("run " + run + " ended " + r.state() + ": " + r.status().message());
      return new long[] {firstFailed.get() - started, activities.killSwitchAt.get() - started};
    } finally {
      env.close();
      target.reset();
      Thread.sleep(6000); // let the errors leave Prometheus' 5 s rate window
    }
  }

  private static long pct(List<Long> values, int p) {
    List<Long> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    int i = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
    return sorted.get(Math.max(0, Math.min(i, sorted.size() - 1)));
  }
}
