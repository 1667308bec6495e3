package dev.ringmaster.devserver;

import dev.ringmaster.analysis.GateEvaluator;
import dev.ringmaster.analysis.GateEvaluator.Streak;
import dev.ringmaster.analysis.Measurement;
import dev.ringmaster.analysis.MetricVerdict;
import dev.ringmaster.analysis.Outcome;
import dev.ringmaster.analysis.SoakBeat;
import dev.ringmaster.analysis.SoakClock;
import dev.ringmaster.config.TemporalSetup;
import dev.ringmaster.devserver.DevServer.PidFile;
import io.temporal.activity.Activity;
import io.temporal.activity.ActivityExecutionContext;
import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityOptions;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.common.converter.DefaultDataConverter;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import io.temporal.worker.WorkerFactory;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What 1,000 soaks' heartbeats cost as the soaks age. A {@code WatchSoak} heartbeat carries the soak's streak with its
 * chart series, which grows by a point per measurement up to {@code SoakSummary.MAX_POINTS} (240; then halved): a soak
 * minutes old sends a few kilobytes, one hours old up to 13 KB ({@link SoakBeat}; 49 KB as objects before it), every
 * 8 s. {@code ScaleBenchmark} sees only soaks a few minutes old. Here 1,000 activities run the soak's own wait loop
 * ({@code SoakClock.SYSTEM}: a heartbeat call every {@code HEARTBEAT_EVERY}, the SDK sending one every 8 s under a
 * 10 s heartbeat timeout) with a streak of {@code points} measurements,
 * against the dev server in its own process (its default JVM options), on a worker in this JVM with Ringmaster's
 * default worker options; the CPU of both processes is read over 60 s for each age in turn. Not a test:
 * <pre>mvn test -Dtest=SoakHeartbeatBenchmark -Dringmaster.benchmark=true</pre>
 * {@code -Dringmaster.benchmark.soaks=N} for another count, {@code -Dringmaster.benchmark.points=0,60,240} for other ages,
 * {@code -Dringmaster.benchmark.wake-ms=N} for a loop that wakes every N ms instead of every second,
 * {@code -Dringmaster.benchmark.heartbeat=streak} for heartbeats of the form before {@code SoakBeat}.
 * Results go to the console and target/benchmarks/soak-heartbeats.md; BENCHMARKS.md keeps the figures.
 */
class SoakHeartbeatBenchmark {
  static final int SOAKS = Integer.getInteger("ringmaster.benchmark.soaks", 1000);
  static final Duration MEASURED = Duration.ofSeconds(60);
  static final String QUEUE = "soak-heartbeats";
  /** {@code -Dringmaster.benchmark.wake-ms=N}: wake every N ms instead of the soak's loop (every second), to compare. */
  static final long WAKE_MS = Long.getLong("ringmaster.benchmark.wake-ms", 0);
  /** {@code -Dringmaster.benchmark.heartbeat=streak}: heartbeats of the form before {@link SoakBeat} (the series as objects). */
  static final boolean STREAK_FORM = "streak".equals(System.getProperty("ringmaster.benchmark.heartbeat"));

  @TempDir Path work;

  @ActivityInterface
  public interface Soaking {
    void soak(int points, long untilEpochMilli);
  }

  /** The soak's wait loop with a streak of {@code points} measurements in every heartbeat, and no measuring. */
  public static class SoakingImpl implements Soaking {
    @Override
    public void soak(int points, long untilEpochMilli) {
      ActivityExecutionContext ctx = Activity.getExecutionContext();
      Object details = details(points);
      try {
        if (WAKE_MS <= 0) {
          SoakClock.SYSTEM.sleepUntil(Instant.ofEpochMilli(untilEpochMilli), () -> ctx.heartbeat(details));
        } else {
          while (System.currentTimeMillis() < untilEpochMilli) { // the loop with another wake-up interval, to compare
            ctx.heartbeat(details);
            Thread.sleep(Math.max(1, Math.min(WAKE_MS, untilEpochMilli - System.currentTimeMillis())));
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @WorkflowInterface
  public interface Holder {
    @WorkflowMethod
    void run(int points, long untilEpochMilli);
  }

  public static class HolderImpl implements Holder {
    @Override
    public void run(int points, long untilEpochMilli) {
      // WatchSoak's heartbeat timeout (StepPolicies.watchSoak)
      Workflow.newActivityStub(Soaking.class, ActivityOptions.newBuilder().setStartToCloseTimeout(Duration.ofMinutes(10))
          .setHeartbeatTimeout(Duration.ofSeconds(10)).build()).soak(points, untilEpochMilli);
    }
  }

  /** What a soak with {@code points} measurements heartbeats: {@link SoakBeat}, or with {@code heartbeat=streak} the form before it. */
  static Object details(int points) {
    return STREAK_FORM ? streak(points) : SoakBeat.of(streak(points));
  }

  /** A streak of {@code points} healthy measurements of one metric, 10 s apart, as the scale benchmark's rollouts have. */
  static Streak streak(int points) {
    Streak s = Streak.START;
    Random r = new Random(points);
    Instant t = Instant.parse("2026-12-05T00:00:00Z");
    for (int i = 0; i < points; i++) {
      double canary = 0.01 + r.nextDouble() * 0.01, control = 0.01 + r.nextDouble() * 0.01;
      s = GateEvaluator.afterMeasurement(s, new Measurement(t.plusSeconds(10L * i).plusNanos(r.nextInt(1_000_000_000)), Outcome.PASSED,
          List.of(new MetricVerdict("error-rate", canary, control, null, "canary > control + 0.05", Outcome.PASSED, null))));
    }
    return s;
  }

  @AfterEach
  void stopDevServer() {
    PidFile.live(work.resolve("temporal-dev-server.pid")).flatMap(f -> ProcessHandle.of(f.pid())).ifPresent(ProcessHandle::destroyForcibly);
  }

  @Test
  void heartbeatsOfSoaksByAge() throws Exception {
    Assumptions.assumeTrue(Boolean.getBoolean("ringmaster.benchmark"), "a benchmark: run with -Dringmaster.benchmark=true");
    int port = DevServerLauncher.ensureRunning(work.resolve("temporal-dev-server.pid"), 0, DevServerLauncher.DEFAULT_JVM_OPTIONS);
    long devServer = PidFile.live(work.resolve("temporal-dev-server.pid")).orElseThrow().pid();
    WorkflowServiceStubs stubs = WorkflowServiceStubs.newServiceStubs(WorkflowServiceStubsOptions.newBuilder().setTarget("127.0.0.1:" + port).build());
    WorkflowClient client = WorkflowClient.newInstance(stubs, WorkflowClientOptions.newBuilder().setNamespace("default").build());
    WorkerFactory factory = WorkerFactory.newInstance(client);
    var worker = factory.newWorker(QUEUE, TemporalSetup.defaultWorkerOptions());
    worker.registerWorkflowImplementationTypes(HolderImpl.class);
    worker.registerActivitiesImplementations(new SoakingImpl());
    factory.start();

    StringBuilder report = new StringBuilder("""
        | soaks | measurements in each streak (chart points) | heartbeat payload | worker CPU (share of one core) | test server CPU (share of one core) |
        |---|---|---|---|---|
        """);
    var converter = DefaultDataConverter.newDefaultInstance();
    for (String p : System.getProperty("ringmaster.benchmark.points", "0,60,240").split(",")) {
      int points = Integer.parseInt(p.strip());
      int bytes = converter.toPayloads(details(points)).orElseThrow().getSerializedSize();
      // every soak heartbeating before the 60 s start; all of them done after
      Instant until = Instant.now().plus(Duration.ofSeconds(40)).plus(MEASURED).plusSeconds(SOAKS / 50);
      List<WorkflowStub> started = new ArrayList<>();
      for (int i = 0; i < SOAKS; i++) {
        Holder h = client.newWorkflowStub(Holder.class, WorkflowOptions.newBuilder().setTaskQueue(QUEUE).setWorkflowId("soak-" + points + "-" + i).build());
        WorkflowClient.start(h::run, points, until.toEpochMilli());
        started.add(WorkflowStub.fromTyped(h));
      }
      Thread.sleep(Duration.between(Instant.now(), until.minus(MEASURED).minusSeconds(5)).toMillis());
      double w0 = ScaleBenchmark.cpuSeconds(ProcessHandle.current().pid()), t0 = ScaleBenchmark.cpuSeconds(devServer);
      long n0 = System.nanoTime();
      Thread.sleep(MEASURED.toMillis());
      double seconds = (System.nanoTime() - n0) / 1e9;
      double workerCpu = (ScaleBenchmark.cpuSeconds(ProcessHandle.current().pid()) - w0) / seconds, server = (ScaleBenchmark.cpuSeconds(devServer) - t0) / seconds;
      for (var s : started) s.getResult(2, TimeUnit.MINUTES, Void.class); // every soak ran to its end: none timed out
      String row = String.format("| %d | %d (%d) | %.1f KB | %.1f %% | %.1f %% |%n", SOAKS, points, streak(points).summary().series().size(), bytes / 1024.0,
          workerCpu * 100, server * 100);
      System.out.print(row);
      report.append(row);
    }
    factory.shutdownNow();
    report.append("heartbeats: ").append(STREAK_FORM ? "Streak (the series as objects, before SoakBeat)" : "SoakBeat (the series in columns)")
        .append("; wake-ups: ").append(WAKE_MS <= 0 ? "the soak's loop (SoakClock.SYSTEM, every " + SoakClock.HEARTBEAT_EVERY.toSeconds() + " s)" : "every " + WAKE_MS + " ms")
        .append("; worker: this JVM (").append(String.join(" ", java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments()))
        .append("); dev server JVM: ").append(DevServerLauncher.DEFAULT_JVM_OPTIONS).append('\n');
    Path out = Path.of("target/benchmarks/soak-heartbeats.md");
    Files.createDirectories(out.getParent());
    Files.writeString(out, report, java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
  }
}
