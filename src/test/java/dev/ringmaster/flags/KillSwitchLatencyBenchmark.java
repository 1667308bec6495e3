package dev.ringmaster.flags;

import static org.assertj.core.api.Assertions.assertThat;

import static org.awaitility.Awaitility.await;

import dev.ringmaster.analysis.AnalysisActivities;
import dev.ringmaster.analysis.AnalysisRequest;
import dev.ringmaster.analysis.Measurement;
import dev.ringmaster.analysis.Outcome;
import dev.ringmaster.analysis.SoakSummary;
import dev.ringmaster.analysis.SoakVerdict;
import dev.ringmaster.connection.Adapters;
import dev.ringmaster.connection.ConnectionRegistry;
import dev.ringmaster.definition.Audience;
import dev.ringmaster.flags.unleash.UnleashProviderFactory;
import dev.ringmaster.pipeline.RolloutResult;
import dev.ringmaster.pipeline.RolloutSearchAttributes;
import dev.ringmaster.pipeline.RolloutWorkflow;
import dev.ringmaster.pipeline.RolloutWorkflowImpl;
import dev.ringmaster.pipeline.State;
import dev.ringmaster.support.FakeActivities;
import dev.ringmaster.support.TestDefinitions;
import dev.ringmaster.support.TestRollouts;
import dev.ringmaster.support.UnleashServer;
import io.getunleash.DefaultUnleash;
import io.getunleash.Unleash;
import io.getunleash.UnleashContext;
import io.getunleash.util.UnleashConfig;
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
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Kill-switch latency against a real Unleash: a rollout (real workflow, real flag activities on the unleash adapter)
 * soaks with the flag on for everyone; its gates report FAILED; measured from that verdict to the moment a service's
 * Unleash Java SDK (polling every second, its shortest interval) evaluates the flag as off. Not a test: run it with
 * <pre>mvn test -Dtest=KillSwitchLatencyBenchmark -Dringmaster.benchmark=true -Dringmaster.benchmark.runs=200</pre>
 * Results go to the console and target/benchmarks/kill-switch.md; BENCHMARKS.md keeps the figures.
 */
class KillSwitchLatencyBenchmark {
  static final int RUNS = Integer.getInteger("ringmaster.benchmark.runs", 200);

  /** Flags through the real activities on Unleash; everything else is a double. */
  static class RealFlags extends FakeActivities {
    final FlagActivities real;

    RealFlags(FlagActivities real) {
      this.real = real;
    }

    @Override
    public FlagChange enableRing(FlagTarget flag, String ring, Audience cumulative) {
      return real.enableRing(flag, ring, cumulative);
    }

    @Override
    public FlagChange killSwitch(FlagTarget flag) {
      return real.killSwitch(flag);
    }

    @Override
    public FlagChange removeRingRules(FlagTarget flag) {
      return real.removeRingRules(flag);
    }

    @Override
    public FlagChange retireFlag(FlagTarget flag) {
      return real.retireFlag(flag);
    }
  }

  /** Gates whose checks and one-off measurements pass; what a soak reports is the benchmark's. */
  abstract static class SoakOnlyGates implements AnalysisActivities {
    @Override
    public void checkGates(AnalysisRequest step) {}

    @Override
    public Measurement measureGates(AnalysisRequest step) {
      return new Measurement(Instant.now(), Outcome.PASSED, List.of());
    }
  }

  /** Gates that pass until told to fail; the moment they report FAILED is the start of the measurement. */
  static final class TriggeredGates extends SoakOnlyGates {
    volatile CountDownLatch regression = new CountDownLatch(1);
    final AtomicLong failedAt = new AtomicLong();

    @Override
    public SoakVerdict watchSoak(AnalysisRequest request) {
      try {
        while (!regression.await(1, TimeUnit.SECONDS)) io.temporal.activity.Activity.getExecutionContext().heartbeat(null);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      Measurement m = new Measurement(Instant.now(), Outcome.FAILED, List.of());
      failedAt.set(System.nanoTime());
      return new SoakVerdict(Outcome.FAILED, "benchmark regression", m, SoakSummary.EMPTY);
    }
  }

  @Test
  void killSwitchLatency() throws Exception {
    Assumptions.assumeTrue(Boolean.getBoolean("ringmaster.benchmark"), "a benchmark: run with -Dringmaster.benchmark=true");
    List<Long> latencies = new ArrayList<>();
    try (UnleashServer unleash = UnleashServer.start()) {
      ConnectionRegistry registry = new ConnectionRegistry(Map.of("unleash-prod",
          Map.of("kind", "unleash", "url", unleash.url(), "token-env", "RINGMASTER_TEST_UNLEASH_TOKEN")));
      RealFlags activities = new RealFlags(new FlagActivitiesImpl(new Adapters<FlagProvider>("flags", registry, List.of(new UnleashProviderFactory()))));
      TriggeredGates gates = new TriggeredGates();
      Unleash sdk = new DefaultUnleash(UnleashConfig.builder().appName("checkout").instanceId("bench").unleashAPI(unleash.url() + "/api/")
          .customHttpHeader("Authorization", UnleashServer.CLIENT_TOKEN).fetchTogglesInterval(1).disableMetrics().build());
      AtomicReference<Boolean> seen = new AtomicReference<>(false);
      AtomicLong offAt = new AtomicLong();
      Thread poller = new Thread(() -> {
        UnleashContext ctx = UnleashContext.builder().userId("user-1").build();
        while (!Thread.currentThread().isInterrupted()) {
          boolean on = sdk.isEnabled("bench-flow", ctx);
          if (seen.get() && !on) offAt.compareAndSet(0, System.nanoTime());
          seen.set(on);
          try {
            Thread.sleep(2);
          } catch (InterruptedException e) {
            return;
          }
        }
      });
      poller.setDaemon(true);
      poller.start();
      TestWorkflowEnvironment env = TestWorkflowEnvironment.newInstance();
      try {
        RolloutSearchAttributes.ALL.forEach(k -> env.registerSearchAttribute(k.getName(), IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD));
        Worker worker = env.newWorker("bench");
        worker.registerWorkflowImplementationTypes(RolloutWorkflowImpl.class);
        worker.registerActivitiesImplementations(activities, gates);
        env.start();
        String yaml = """
            apiVersion: ringmaster/v1
            kind: Rollout
            metadata: { service: checkout, domain: payments, owner: team-checkout }
            spec:
              flag: { key: bench-flow, connection: unleash-prod }
              deploy: { connection: deploy }
              analysis:
                connection: prom
                interval: 5s
                failureLimit: 1
                metrics:
                  - { name: errors, canary: 'x', control: 'y', failIf: 'canary > control' }
              rings:
                - name: everyone
                  audience: { percent: 100 }
                  soak: 1h
            """;
        for (int run = 0; run < RUNS; run++) {
          gates.regression = new CountDownLatch(1);
          offAt.set(0);
          RolloutWorkflow wf = TestRollouts.start(env.getWorkflowClient(), worker, TestDefinitions.request(yaml, "b" + run, "bench"));
          await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(5)).until(seen::get);
          Thread.sleep(ThreadLocalRandom.current().nextLong(1000)); // a random phase against the SDK's polling
          gates.regression.countDown();
          await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(5)).until(() -> offAt.get() != 0);
          latencies.add((offAt.get() - gates.failedAt.get()) / 1_000_000);
          RolloutResult r = WorkflowStub.fromTyped(wf).getResultAsync(RolloutResult.class).get(60, TimeUnit.SECONDS);
          if (r.state() != State.ROLLED_BACK) throw new AssertionError("run " + run + " ended " + r.state() + ": " + r.status().message());
          System.out.printf("run %d: flag off for the SDK %d ms after the FAILED verdict%n", run, latencies.get(latencies.size() - 1));
        }
      } finally {
        poller.interrupt();
        sdk.shutdown();
        env.close();
      }
    }
    assertThat(latencies).as("measured runs").hasSize(RUNS).isNotEmpty();
    List<Long> sorted = new ArrayList<>(latencies);
    Collections.sort(sorted);
    String report = "| runs | p50 | p99 | max |\n|---|---|---|---|\n| " + RUNS + " | " + pct(sorted, 50) + " ms | " + pct(sorted, 99) + " ms | "
        + sorted.get(sorted.size() - 1) + " ms |\n";
    System.out.println(report);
    Path out = Path.of("target/benchmarks/kill-switch.md");
    Files.createDirectories(out.getParent());
    Files.writeString(out, report);
  }

  private static long pct(List<Long> sorted, int p) {
    int i = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
    return sorted.get(Math.max(0, Math.min(i, sorted.size() - 1)));
  }
}
