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
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.WorkflowStub;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Detection latency of metric gates, end to end: a rollout soaking with gates every {@code interval} on a real
 * Prometheus (1 s scrapes); at a random moment of the interval the canary starts answering 30 % 5xx; measured from
 * that moment to the first reading over the line, to the soak's FAILED verdict (WatchSoak completed, from the
 * history) and to the kill switch (flag off). With and without a tripwire, in the same run. Not a test: run it with
 * <pre>mvn test -Dtest=DetectionLatencyBenchmark#detectionLatency -Dringmaster.benchmark=true -Dringmaster.benchmark.runs=20</pre>
 * ({@code -Dringmaster.benchmark.intervals=5s,30s} for the 5 s rows too; {@code -Dringmaster.benchmark.tripwire-only=true}
 * without the configurations that have no tripwire). Results go to the console and
 * target/benchmarks/detection-latency.md; BENCHMARKS.md keeps the figures.
 *
 * <p>{@link #tripwireFalsePositives} soaks healthy, noisy canaries ({@link TrafficTarget#noisy}) with the tripwire at
 * its defaults and counts rollbacks among its checks:
 * <pre>mvn test -Dtest=DetectionLatencyBenchmark#tripwireFalsePositives -Dringmaster.benchmark=true -Dringmaster.benchmark.soak=10m</pre>
 * (blips of 50–150 ms by default; {@code -Dringmaster.benchmark.blip-ms=100-300} for the harsher noise, {@code -Dringmaster.benchmark.consecutive=3} for another count).
 */
class DetectionLatencyBenchmark {
  static final int RUNS = Integer.getInteger("ringmaster.benchmark.runs", 20);
  /** Runs with a tripwire in which an interval measurement happened to come first (it was due right after the regression). */
  static final AtomicLong firedByInterval = new AtomicLong();

  static final String ERROR_RATE = """
      - name: error-rate
        canary: sum(rate(http_requests_total{%1$sflag="on",code=~"5.."}[5s])) / sum(rate(http_requests_total{%1$sflag="on"}[5s]))
        control: sum(rate(http_requests_total{%1$sflag="off",code=~"5.."}[5s])) / sum(rate(http_requests_total{%1$sflag="off"}[5s]))
        samples: sum(increase(http_requests_total{%1$sflag="on"}[5s]))
        failIf: canary > control + 0.05
      """;
  /** The README's tripwire, at its defaults (minSamples 20, consecutive 5), checked every 250 ms (tripwire-every's default). */
  static final String TRIPWIRE = """
      - name: error-spike
        canary: sum(irate(http_requests_total{%1$sflag="on",code=~"5.."}[3s])) / sum(irate(http_requests_total{%1$sflag="on"}[3s]))
        samples: sum(irate(http_requests_total{%1$sflag="on"}[3s]))
        failIf: canary > 0.2
      """ + (System.getProperty("ringmaster.benchmark.consecutive") == null ? "" : "  consecutive: " + System.getProperty("ringmaster.benchmark.consecutive") + "\n");
  /** Another cadence and count than the defaults: -Dringmaster.benchmark.tripwire-every=500ms -Dringmaster.benchmark.consecutive=3. */
  static final String TRIPWIRE_EVERY = System.getProperty("ringmaster.benchmark.tripwire-every", TripwireSettings.DEFAULT_EVERY.toMillis() + "ms");
  static final String CONSECUTIVE = System.getProperty("ringmaster.benchmark.consecutive", String.valueOf(dev.ringmaster.definition.RolloutDefinition.Tripwire.DEFAULT_CONSECUTIVE));

  /** One way to soak: gates every {@code interval}, {@code failureLimit}, with or without the tripwire. */
  record Config(String interval, int failureLimit, boolean tripwire) {
    String label() {
      return "interval " + interval + ", failureLimit " + failureLimit + (tripwire ? ", tripwire every " + TRIPWIRE_EVERY + ", consecutive " + CONSECUTIVE : "");
    }
  }

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
    List<Config> configs = new ArrayList<>();
    boolean without = !Boolean.getBoolean("ringmaster.benchmark.tripwire-only");
    for (String interval : System.getProperty("ringmaster.benchmark.intervals", "30s").split(",")) {
      if (without && interval.strip().equals("5s")) configs.add(new Config("5s", 2, false));
      if (without) configs.add(new Config(interval.strip(), 1, false));
      configs.add(new Config(interval.strip(), 1, true));
    }
    firedByInterval.set(0);
    StringBuilder report = new StringBuilder("| gates | runs | first reading over the line p50 | p99 | FAILED verdict p50 | p99 | flag off p50 | p99 |\n"
        + "|---|---|---|---|---|---|---|---|\n");
    try (TrafficTarget target = new TrafficTarget(); PrometheusServer prometheus = PrometheusServer.scraping("127.0.0.1:" + target.port())) {
      for (Config config : configs) {
        List<long[]> runs = new ArrayList<>();
        for (int run = 0; run < RUNS; run++) {
          long[] r = oneRun(target, prometheus, config, run);
          runs.add(r);
          System.out.printf("%s run %d: first reading over the line after %d ms, verdict after %d ms, flag off after %d ms%n", config.label(), run, r[0], r[1], r[2]);
        }
        assertThat(runs).as("measured runs of %s", config.label()).hasSize(RUNS).allMatch(r -> r[0] > 0 && r[1] >= r[0] && r[2] >= r[1]);
        report.append("| ").append(config.label()).append(" | ").append(RUNS);
        for (int i = 0; i < 3; i++) {
          int column = i;
          List<Long> values = runs.stream().map(r -> r[column]).toList();
          report.append(" | ").append(seconds(pct(values, 50))).append(" | ").append(seconds(pct(values, 99)));
        }
        report.append(" |\n");
      }
    }
    report.append("\nWith the tripwire, ").append(firedByInterval.get()).append(" run(s) were decided by an interval measurement that came first.\n");
    System.out.println(report);
    write("detection-latency.md", report.toString());
  }

  /** A metric source that notes when a reading first crosses the line (an interval one, or a tripwire check's). */
  static AdapterFactory<MetricSource> noting(AtomicLong firstOver) {
    return new AdapterFactory<>() {
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
            return noted(m, real.read(m), 100);
          }

          @Override
          public MetricReading readLatest(Metric m) {
            return noted(m, real.readLatest(m), 20);
          }

          private MetricReading noted(Metric m, MetricReading r, long minSamples) {
            if (GateEvaluator.judge(minSamples, m, r, null).outcome() == Outcome.FAILED) firstOver.compareAndSet(0, System.currentTimeMillis());
            return r;
          }

          @Override
          public void check(Metric m) {
            real.check(m);
          }
        };
      }
    };
  }

  /** A fresh test server and worker with the real WatchSoak on {@code prometheus}; flags and deploy are test doubles. */
  static <T> T withWorker(PrometheusServer prometheus, AdapterFactory<MetricSource> source, FakeActivities activities,
      Function<TestWorkflowEnvironment, T> body) {
    ConnectionRegistry registry = new ConnectionRegistry(Map.of("prom", Map.of("kind", "prometheus", "url", prometheus.url(), "tripwire-every", TRIPWIRE_EVERY)));
    TestWorkflowEnvironment env = TestWorkflowEnvironment.newInstance();
    try {
      dev.ringmaster.pipeline.RolloutSearchAttributes.ALL.forEach(k ->
          env.registerSearchAttribute(k.getName(), io.temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD));
      Worker worker = env.newWorker("bench");
      worker.registerWorkflowImplementationTypes(RolloutWorkflowImpl.class);
      worker.registerActivitiesImplementations(activities,
          new AnalysisActivitiesImpl(new Adapters<MetricSource>("analysis", registry, List.of(source)), SoakClock.SYSTEM));
      env.start();
      return body.apply(env);
    } finally {
      env.close();
    }
  }

  private long[] oneRun(TrafficTarget target, PrometheusServer prometheus, Config config, int run) throws Exception {
    target.reset();
    AtomicLong firstOver = new AtomicLong();
    Timed activities = new Timed();
    try {
      return withWorker(prometheus, noting(firstOver), activities, env -> {
        try {
          DefinitionBuilder b = DefinitionBuilder.checkout().analysis("prom", config.interval(), config.failureLimit(), 10, 100, ERROR_RATE.formatted(""));
          if (config.tripwire()) b.tripwires(TRIPWIRE.formatted(""));
          String yaml = b.ring("canary", "{ percent: 5 }", "10m").ring("everyone", "{ percent: 100 }", "10m").yaml();
          var req = TestDefinitions.request(yaml, "bench-" + config.interval() + "-" + config.failureLimit() + (config.tripwire() ? "-t" : "") + "-" + run, "bench");
          RolloutWorkflow wf = TestRollouts.start(env.getWorkflowClient(), env.getWorkerFactory().getWorker("bench"), req);
          await().atMost(Duration.ofSeconds(30)).until(() -> wf.status().phase() == Phase.SOAKING);
          long interval = dev.ringmaster.definition.Durations.parse(config.interval()).toMillis();
          Thread.sleep(6000 + ThreadLocalRandom.current().nextLong(interval)); // a healthy window first, then a random phase of the interval
          target.injectErrorsOn(0.3);
          long started = target.regressionStartedAt;
          RolloutResult r = WorkflowStub.fromTyped(wf).getResultAsync(RolloutResult.class).get(120, TimeUnit.SECONDS);
          if (r.state() != State.ROLLED_BACK) throw new AssertionError("run " + run + " ended " + r.state() + ": " + r.status().message());
          if (!r.status().rollbackReason().startsWith("gates FAILED in ring canary: ")) {
            throw new AssertionError("run " + run + " rolled back for another reason: " + r.status().rollbackReason());
          }
          if (config.tripwire() && !r.status().rollbackReason().contains(": tripwire error-spike: ")) firedByInterval.incrementAndGet();
          return new long[] {firstOver.get() - started, soakEndedAt(env, req.rolloutId()) - started, activities.killSwitchAt.get() - started};
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      });
    } finally {
      target.reset();
      Thread.sleep(6000); // let the errors leave Prometheus' 5 s rate window
    }
  }

  /** When the canary's WatchSoak completed (its verdict), from the history: epoch millis. */
  static long soakEndedAt(TestWorkflowEnvironment env, String workflowId) {
    Map<Long, String> scheduled = new HashMap<>();
    for (HistoryEvent e : env.getWorkflowClient().fetchHistory(workflowId).getHistory().getEventsList()) {
      if (e.getEventType() == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED) {
        scheduled.put(e.getEventId(), e.getActivityTaskScheduledEventAttributes().getActivityType().getName());
      } else if (e.getEventType() == EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED
          && "WatchSoak".equals(scheduled.get(e.getActivityTaskCompletedEventAttributes().getScheduledEventId()))) {
        return e.getEventTime().getSeconds() * 1000 + e.getEventTime().getNanos() / 1_000_000;
      }
    }
    throw new AssertionError(workflowId + ": no WatchSoak completed in the history");
  }

  /**
   * Healthy canaries (and controls) with realistic noise, soaking side by side for {@code ringmaster.benchmark.soak}
   * (10m), each on its own service behind its own Prometheus target, with the tripwire at its defaults: the target is
   * that every soak ends PASSED. The interval gates look at 1 min windows here, so that only the tripwire is on trial.
   * Reports the checks, how many crossed the line (once: never twice in a row), the blips injected and the rollbacks.
   */
  @Test
  void tripwireFalsePositives() throws Exception {
    Assumptions.assumeTrue(Boolean.getBoolean("ringmaster.benchmark"), "a benchmark: run with -Dringmaster.benchmark=true");
    String soak = System.getProperty("ringmaster.benchmark.soak", "10m");
    int rollouts = Integer.getInteger("ringmaster.benchmark.rollouts", 4);
    List<TrafficTarget> targets = new ArrayList<>();
    for (int i = 0; i < rollouts; i++) targets.add(new TrafficTarget());
    String[] blip = System.getProperty("ringmaster.benchmark.blip-ms", "50-150").split("-");
    targets.forEach(t -> {
      t.noisy = true;
      t.blipMinMs = Integer.parseInt(blip[0].strip());
      t.blipMaxMs = Integer.parseInt(blip[1].strip());
    });
    String[] addresses = targets.stream().map(t -> "127.0.0.1:" + t.port()).toArray(String[]::new);
    try (PrometheusServer prometheus = PrometheusServer.scraping(addresses)) {
      Thread.sleep(6000); // the rate windows fill
      String report = withWorker(prometheus, new PrometheusSourceFactory(), new FakeActivities(), env -> {
        List<RolloutWorkflow> started = new ArrayList<>();
        for (int i = 0; i < rollouts; i++) {
          String instance = "instance=\"" + addresses[i] + "\",";
          String yaml = DefinitionBuilder.checkout().service("noisy-" + i, "noisy-" + i).analysis("prom", "30s", 2, 10, 100, ERROR_RATE.formatted(instance).replace("[5s]", "[1m]"))
              .tripwires(TRIPWIRE.formatted(instance)).ring("canary", "{ percent: 5 }", soak).ring("everyone", "{ percent: 100 }", "1s").yaml();
          started.add(TestRollouts.start(env.getWorkflowClient(), env.getWorkerFactory().getWorker("bench"), TestDefinitions.request(yaml, "1.0." + i, "bench")));
        }
        long timeout = dev.ringmaster.definition.Durations.parse(soak).plusMinutes(3).toSeconds();
        int checks = 0, crossed = 0, rolledBack = 0;
        StringBuilder lines = new StringBuilder();
        for (RolloutWorkflow wf : started) {
          RolloutResult r;
          try {
            r = WorkflowStub.fromTyped(wf).getResultAsync(RolloutResult.class).get(timeout, TimeUnit.SECONDS);
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
          String verdict = r.status().rings().get(0).verdict();
          lines.append(r.id()).append(": ").append(r.state()).append(", ").append(r.state() == State.SUCCEEDED ? verdict : r.status().rollbackReason()).append('\n');
          if (r.state() != State.SUCCEEDED) rolledBack++;
          java.util.regex.Matcher m = java.util.regex.Pattern.compile("error-spike (\\d+) checks, (\\d+) crossed").matcher(verdict == null ? "" : verdict);
          if (m.find()) {
            checks += Integer.parseInt(m.group(1));
            crossed += Integer.parseInt(m.group(2));
          }
        }
        int blips = targets.stream().mapToInt(t -> t.blips[0].get()).sum();
        assertThat(checks).as("tripwire checks counted from the soaks' verdicts").isPositive();
        System.out.print(lines);
        return "| rollouts | soak | blips | tripwire | tripwire checks | crossed | canary blips | rollbacks |\n|---|---|---|---|---|---|---|---|\n| "
            + rollouts + " | " + soak + " | " + blip[0] + "–" + blip[1] + " ms | every " + TRIPWIRE_EVERY + ", consecutive " + CONSECUTIVE + " | " + checks
            + " | " + crossed + " | " + blips + " | " + rolledBack + " |\n";
      });
      System.out.println(report);
      write("tripwire-false-positives.md", report);
    } finally {
      targets.forEach(TrafficTarget::close);
    }
  }

  private static void write(String name, String report) throws java.io.IOException {
    Path out = Path.of("target/benchmarks/" + name);
    Files.createDirectories(out.getParent());
    Files.writeString(out, report);
  }

  private static String seconds(long ms) {
    return String.format("%.1f s", ms / 1000.0);
  }

  private static long pct(List<Long> values, int p) {
    List<Long> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    int i = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
    return sorted.get(Math.max(0, Math.min(i, sorted.size() - 1)));
  }
}
