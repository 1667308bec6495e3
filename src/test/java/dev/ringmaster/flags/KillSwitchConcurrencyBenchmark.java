package dev.ringmaster.flags;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ringmaster.analysis.AnalysisRequest;
import dev.ringmaster.analysis.Measurement;
import dev.ringmaster.analysis.Outcome;
import dev.ringmaster.analysis.SoakSummary;
import dev.ringmaster.analysis.SoakVerdict;
import dev.ringmaster.config.TemporalSetup;
import dev.ringmaster.connection.Adapters;
import dev.ringmaster.connection.ConnectionRegistry;
import dev.ringmaster.definition.Audience;
import dev.ringmaster.flags.flagdfile.FlagdFiles;
import dev.ringmaster.flags.unleash.UnleashProviderFactory;
import dev.ringmaster.pipeline.RolloutResult;
import dev.ringmaster.pipeline.RolloutSearchAttributes;
import dev.ringmaster.pipeline.RolloutWorkflow;
import dev.ringmaster.pipeline.RolloutWorkflowImpl;
import dev.ringmaster.pipeline.State;
import dev.ringmaster.support.DefinitionBuilder;
import dev.ringmaster.support.TestDefinitions;
import dev.ringmaster.support.TestRollouts;
import dev.ringmaster.support.UnleashServer;
import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.client.WorkflowStub;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The kill switch when many things happen at once: {@code ringmaster.benchmark.rollouts} (100) rollouts of distinct
 * services, domains and flags soak on one worker (Temporal test server, Ringmaster's default worker options), their
 * flags on for everyone through the real flag activities; their gates all report FAILED in the same millisecond.
 * Measured per rollout from its FAILED verdict to its provider acknowledging the flag off (the adapter's kill-switch
 * call returned), on flagd-file and on a real Unleash, against one direct provider call (no workflow, nothing else
 * running) measured in the same run. Not a test: run it with
 * <pre>mvn test -Dtest=KillSwitchConcurrencyBenchmark -Dringmaster.benchmark=true</pre>
 * Results go to the console and target/benchmarks/kill-switch-concurrency.md; BENCHMARKS.md keeps the figures.
 */
class KillSwitchConcurrencyBenchmark {
  static final int ROLLOUTS = Integer.getInteger("ringmaster.benchmark.rollouts", 100);
  static final int DIRECT_CALLS = 30;

  /** Real flag activities; the time each flag's kill switch was acknowledged by the provider, by flag key. */
  static final class TimedFlags extends KillSwitchLatencyBenchmark.RealFlags {
    final Map<String, Long> offAt = new ConcurrentHashMap<>();
    final Map<String, Long> startedAt = new ConcurrentHashMap<>();

    TimedFlags(FlagActivities real) {
      super(real);
    }

    @Override
    public FlagChange killSwitch(FlagTarget flag) {
      startedAt.putIfAbsent(flag.key(), System.nanoTime());
      FlagChange c = real.killSwitch(flag);
      offAt.putIfAbsent(flag.key(), System.nanoTime());
      return c;
    }
  }

  /**
   * Gates that pass until one latch opens for all; each soak's FAILED moment is recorded by rollout ID. At the FAILED
   * verdict the soak asks the server whether it is still wanted and pulls the kill switch, as Ringmaster's watcher
   * does ({@code AnalysisActivitiesImpl#pullIfStillWanted}).
   */
  static final class SharedRegression extends KillSwitchLatencyBenchmark.SoakOnlyGates {
    final KillSwitch killSwitch;
    volatile dev.ringmaster.analysis.StillWanted stillWanted;
    final CountDownLatch regression = new CountDownLatch(1);

    SharedRegression(KillSwitch killSwitch) {
      this.killSwitch = killSwitch;
    }

    final Map<String, Long> failedAt = new ConcurrentHashMap<>();
    final AtomicInteger soaking = new AtomicInteger();

    @Override
    public SoakVerdict watchSoak(AnalysisRequest request) {
      soaking.incrementAndGet();
      try {
        while (!regression.await(1, TimeUnit.SECONDS)) io.temporal.activity.Activity.getExecutionContext().heartbeat(null);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      failedAt.put(request.rolloutId(), System.nanoTime());
      Measurement m = new Measurement(Instant.now(), Outcome.FAILED, List.of());
      return dev.ringmaster.analysis.AnalysisActivitiesImpl.pullIfStillWanted(killSwitch, stillWanted, request,
          new SoakVerdict(Outcome.FAILED, "benchmark regression", m, SoakSummary.EMPTY.with(m)), null);
    }
  }

  @Test
  void killSwitchAtConcurrency() throws Exception {
    Assumptions.assumeTrue(Boolean.getBoolean("ringmaster.benchmark"), "a benchmark: run with -Dringmaster.benchmark=true");
    StringBuilder report = new StringBuilder("| provider | rollouts | verdict → flag off p50 | p99 | max | verdict → kill switch called p50 / p99 | in the provider p50 / p99 "
        + "| one direct call (median) | " + ROLLOUTS + " direct calls at once p50 / p99 | " + ROLLOUTS + " flags in one group call | p99 ÷ one direct call |\n|---|---|---|---|---|---|---|---|---|---|---|\n");
    Path dir = Files.createTempDirectory("kill-switch-concurrency");
    // A Ringmaster worker is a long-running process: a first, unmeasured round warms the JVM up.
    run("flagd-file", Map.of("kind", "flagd-file", "path", dir.resolve("warm-up.json").toString()), "warm", 20);
    report.append(run("flagd-file", Map.of("kind", "flagd-file", "path", dir.resolve("flags.json").toString()), "svc", ROLLOUTS));
    if (!Boolean.getBoolean("ringmaster.benchmark.skip-unleash")) try (UnleashServer unleash = UnleashServer.start()) {
      report.append(run("unleash", Map.of("kind", "unleash", "url", unleash.url(), "token-env", "RINGMASTER_TEST_UNLEASH_TOKEN"), "svc", ROLLOUTS));
    }
    System.out.println(report);
    Path out = Path.of("target/benchmarks/kill-switch-concurrency.md");
    Files.createDirectories(out.getParent());
    Files.writeString(out, report);
  }

  private String run(String kind, Map<String, String> connection, String prefix, int rollouts) throws Exception {
    ConnectionRegistry registry = new ConnectionRegistry(Map.of("flags", connection));
    Adapters<FlagProvider> providers = new Adapters<>("flags", registry, List.of(FlagdFiles.factory(), new UnleashProviderFactory()));
    TimedFlags flags = new TimedFlags(new FlagActivitiesImpl(providers));
    SharedRegression gates = new SharedRegression(flags::killSwitch);
    TestWorkflowEnvironment env = TestWorkflowEnvironment.newInstance();
    try {
      RolloutSearchAttributes.ALL.forEach(k -> env.registerSearchAttribute(k.getName(), IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD));
      Worker worker = env.newWorker("bench", TemporalSetup.defaultWorkerOptions());
      worker.registerWorkflowImplementationTypes(RolloutWorkflowImpl.class);
      worker.registerActivitiesImplementations(flags, gates);
      gates.stillWanted = new dev.ringmaster.analysis.StillWanted(env.getWorkflowClient());
      env.start();
      List<RolloutWorkflow> workflows = new ArrayList<>();
      for (int i = 0; i < rollouts; i++) {
        String yaml = DefinitionBuilder.checkout().service(prefix + "-" + i, prefix + "-domain-" + i).flag(prefix + "-flag-" + i)
            .analysis("prom", "10s", 1, 3, 0, "- { name: errors, canary: 'x', control: 'y', failIf: 'canary > control' }")
            .ring("everyone", "{ percent: 100 }", "1h").yaml();
        workflows.add(TestRollouts.start(env.getWorkflowClient(), worker, TestDefinitions.request(yaml, "1.0." + i, "bench")));
      }
      await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(50)).until(() -> gates.soaking.get() == rollouts);
      Thread.sleep(2000); // let the last soaks settle into their heartbeat loop
      gates.regression.countDown();
      for (RolloutWorkflow wf : workflows) {
        RolloutResult r = WorkflowStub.fromTyped(wf).getResultAsync(RolloutResult.class).get(3, TimeUnit.MINUTES);
        if (r.state() != State.ROLLED_BACK) throw new AssertionError(r.id() + " ended " + r.state() + ": " + r.message());
      }
      List<Long> latencies = new ArrayList<>(), toActivity = new ArrayList<>(), inProvider = new ArrayList<>();
      for (int i = 0; i < rollouts; i++) {
        String id = dev.ringmaster.pipeline.RolloutRequest.rolloutId(prefix + "-" + i, "1.0." + i);
        Long failed = gates.failedAt.get(id), off = flags.offAt.get(prefix + "-flag-" + i);
        if (failed == null || off == null) throw new AssertionError(id + ": no FAILED verdict or no kill switch recorded");
        latencies.add((off - failed) / 1_000_000);
        long started = flags.startedAt.get(prefix + "-flag-" + i);
        toActivity.add((started - failed) / 1_000_000);
        inProvider.add((off - started) / 1_000_000);
      }
      Collections.sort(latencies);
      Collections.sort(toActivity);
      Collections.sort(inProvider);
      assertThat(latencies).as("rollouts measured").hasSize(rollouts);

      // One direct provider call, nothing else running: a flag on for everyone, then its kill switch.
      FlagProvider direct = providers.forConnection("flags");
      List<Long> directCalls = new ArrayList<>();
      for (int i = 0; i < DIRECT_CALLS; i++) {
        FlagTarget t = new FlagTarget("flags", "direct-flag-" + i, "direct-" + i, "bench", null);
        direct.enable(t, "everyone", Audience.percent(100));
        long t0 = System.nanoTime();
        direct.killSwitch(t);
        directCalls.add(System.nanoTime() - t0);
      }
      Collections.sort(directCalls);
      double directMs = directCalls.get(directCalls.size() / 2) / 1e6;
      // As many direct calls at once as rollouts rolled back, each its own provider call (no workflow, no grouping).
      List<FlagTarget> many = new ArrayList<>();
      for (int i = 0; i < rollouts; i++) {
        FlagTarget t = new FlagTarget("flags", prefix + "-direct-many-" + i, "direct-many-" + i, "bench", null);
        direct.enable(t, "everyone", Audience.percent(100));
        many.add(t);
      }
      List<Long> atOnce = Collections.synchronizedList(new ArrayList<>());
      CountDownLatch go = new CountDownLatch(1);
      List<Thread> threads = many.stream().map(t -> new Thread(() -> {
        try {
          go.await();
        } catch (InterruptedException e) {
          return;
        }
        long t0 = System.nanoTime();
        direct.killSwitch(t);
        atOnce.add((System.nanoTime() - t0) / 1_000_000);
      })).toList();
      threads.forEach(Thread::start);
      go.countDown();
      for (Thread t : threads) t.join(120_000);
      List<Long> atOnceSorted = new ArrayList<>(atOnce);
      Collections.sort(atOnceSorted);
      // The same number of flags in one group call (what KillSwitchBatcher does with flags that queued together).
      List<FlagTarget> group = new ArrayList<>();
      for (int i = 0; i < rollouts; i++) {
        FlagTarget t = new FlagTarget("flags", prefix + "-direct-group-" + i, "direct-group-" + i, "bench", null);
        direct.enable(t, "everyone", Audience.percent(100));
        group.add(t);
      }
      long g0 = System.nanoTime();
      direct.killSwitchAll(group);
      long groupMs = (System.nanoTime() - g0) / 1_000_000;
      long p99 = pct(latencies, 99);
      String row = String.format("| %s | %d | %d ms | %d ms | %d ms | %d / %d ms | %d / %d ms | %.1f ms | %d / %d ms | %d ms | %.0f× |%n", kind, rollouts, pct(latencies, 50), p99,
          latencies.get(latencies.size() - 1), pct(toActivity, 50), pct(toActivity, 99), pct(inProvider, 50), pct(inProvider, 99), directMs,
          pct(atOnceSorted, 50), pct(atOnceSorted, 99), groupMs, p99 / Math.max(directMs, 0.1));
      System.out.print(row);
      return row;
    } finally {
      env.close();
    }
  }

  private static long pct(List<Long> sorted, int p) {
    int i = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
    return sorted.get(Math.max(0, Math.min(i, sorted.size() - 1)));
  }
}
