package dev.ringmaster.devserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ringmaster.devserver.DevServer.PidFile;
import dev.ringmaster.pipeline.RolloutRequest;
import dev.ringmaster.rollouts.HistoryTimeline;
import dev.ringmaster.support.RingmasterProcess;
import dev.ringmaster.support.RingmasterProcess.Answer;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Many rollouts soaking at once on one worker process: a real Ringmaster process (its JVM capped at 1 GB of heap, the
 * default dev-server mode, so Temporal's test server runs in its own process) soaks {@code ringmaster.benchmark.rollouts}
 * (1,000) rollouts of distinct services and domains, each with gates every 10 s through an in-process metric source
 * ({@code SyntheticMetrics}, profile {@code scale-benchmark}). Measured: the worker's steady-state CPU and heap,
 * {@code GET /api/rollouts/{id}} and {@code GET /api/rollouts} under that load, and, for 100 of them whose first ring
 * awaits approval, approval → next ring enabled when the 100 approvals arrive within one second. Two such bursts, 30 s
 * apart, for 100 rollouts each: the figures are the second's, the first (the JVMs' first approvals, their code still
 * being compiled) is reported beside them. Not a test:
 * <pre>mvn test -Dtest=ScaleBenchmark -Dringmaster.benchmark=true</pre>
 * Worker settings can be varied with {@code -Dringmaster.benchmark.worker="key=value,key=value"} (Spring properties;
 * {@code ringmaster.temporal.dev-server-jvm-options=...} sets the dev server JVM's options), the worker JVM's options
 * (default {@code -Xms1g -Xmx1g -XX:TieredStopAtLevel=1}, the README's for a worker on 2 cores) with
 * {@code -Dringmaster.benchmark.jvm="..."}.
 * Results go to the console and target/benchmarks/scale.md; BENCHMARKS.md keeps the figures.
 */
class ScaleBenchmark {
  static final int ROLLOUTS = Integer.getInteger("ringmaster.benchmark.rollouts", 1000);
  static final int APPROVED = Math.min(100, ROLLOUTS / 4);
  static final ObjectMapper JSON = new ObjectMapper();
  static final String PROFILE = System.getProperty("ringmaster.benchmark.profile");
  @TempDir Path work;
  RingmasterProcess worker;

  @AfterEach
  void stopEverything() throws Exception {
    if (worker != null) worker.kill();
    PidFile.live(work.resolve("var/temporal-dev-server.pid")).flatMap(f -> ProcessHandle.of(f.pid())).ifPresent(ProcessHandle::destroyForcibly);
  }

  static ObjectNode rollout(int i, String firstSoak) {
    String yaml = """
        apiVersion: ringmaster/v1
        kind: Rollout
        metadata: { service: example-svc-%1$d, domain: domain-%1$d, owner: team-%1$d }
        spec:
          flag: { key: scale-flag-%1$d, connection: local-flags }
          deploy: { connection: local-deploy }
          analysis:
            connection: synthetic
            interval: 10s
            failureLimit: 2
            metrics:
              - { name: error-rate, canary: 'errors{flag="on"}', control: 'errors{flag="off"}', failIf: 'canary > control + 0.05' }
          rings:
            - name: canary
              audience: { percent: 10 }
              soak: %2$s
              approval: { approvers: [alice], quorum: 1, timeout: 6h, onTimeout: rollback }
            - name: everyone
              audience: { percent: 100 }
              soak: 6h
        """.formatted(i, firstSoak);
    return JSON.createObjectNode().put("definition", yaml).put("version", "1.0.0").put("triggeredBy", "ci");
  }

  @Test
  void manyRolloutsSoakingOnOneWorker() throws Exception {
    Assumptions.assumeTrue(Boolean.getBoolean("ringmaster.benchmark"), "a benchmark: run with -Dringmaster.benchmark=true");
    int temporalPort = RingmasterProcess.freePort();
    Map<String, String> props = new java.util.HashMap<>(ProcessCrashTest.localProperties(work, temporalPort));
    props.put("spring.profiles.active", "scale-benchmark");
    props.put("ringmaster.connections.synthetic.kind", "synthetic");
    props.put("logging.level.dev.ringmaster", "WARN"); // a thousand rollouts' step logs would measure the disk
    String tuning = System.getProperty("ringmaster.benchmark.worker", "");
    for (String kv : tuning.split(",")) if (kv.contains("=")) props.put(kv.substring(0, kv.indexOf('=')), kv.substring(kv.indexOf('=') + 1));
    List<String> jvm = DevServerLauncher.jvmArguments(System.getProperty("ringmaster.benchmark.jvm", "-Xms1g -Xmx1g -XX:TieredStopAtLevel=1"));
    String devServerJvm = props.getOrDefault("ringmaster.temporal.dev-server-jvm-options", DevServerLauncher.DEFAULT_JVM_OPTIONS);
    String recording = PROFILE == null ? null : profileOption();
    List<String> workerJvm = new ArrayList<>(jvm);
    if (recording != null) {
      workerJvm.add(recording);
      props.put("ringmaster.temporal.dev-server-jvm-options", devServerJvm + " " + recording);
    }
    worker = RingmasterProcess.start(work, props, workerJvm).awaitReady(Duration.ofSeconds(120));

    // Start them one at a time (the test server's Update-with-start fails under concurrent starts); the last
    // APPROVED soak their first ring for 4 minutes, then await approval; the others soak for hours.
    long startedAt = System.nanoTime();
    List<Long> starts = new ArrayList<>();
    for (int i = 0; i < ROLLOUTS; i++) {
      long t0 = System.nanoTime();
      Answer a = worker.call("POST", "/api/rollouts", rollout(i, i >= ROLLOUTS - 2 * APPROVED ? "4m" : "6h"));
      starts.add((System.nanoTime() - t0) / 1_000_000);
      if (a.status() / 100 != 2) throw new AssertionError("start " + i + ": " + a.status() + " " + a.body() + "\n" + worker.logTail());
    }
    double startSeconds = (System.nanoTime() - startedAt) / 1e9;
    String approvedFirst = RolloutRequest.rolloutId("example-svc-" + (ROLLOUTS - 2 * APPROVED), "1.0.0");
    awaitPhase(approvedFirst, "SOAKING", Duration.ofMinutes(2));

    // Steady state: every rollout soaking; sample the worker while reading single rollouts and the list.
    List<Double> cpu = new ArrayList<>(), heapMb = new ArrayList<>();
    List<Long> getOne = Collections.synchronizedList(new ArrayList<>()), list = Collections.synchronizedList(new ArrayList<>());
    ExecutorService readers = Executors.newFixedThreadPool(2);
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    Future<?> oneReader = readers.submit(() -> {
      while (System.nanoTime() < until) {
        String id = RolloutRequest.rolloutId("example-svc-" + ThreadLocalRandom.current().nextInt(ROLLOUTS), "1.0.0");
        getOne.add(timed(() -> worker.call("GET", "/api/rollouts/" + id, null)));
        sleep(100);
      }
      return null;
    });
    Future<?> listReader = readers.submit(() -> {
      while (System.nanoTime() < until) {
        list.add(timed(() -> worker.call("GET", "/api/rollouts", null)));
        sleep(1000);
      }
      return null;
    });
    double soaking = 0;
    int scrapesWithoutSoaking = 0;
    while (System.nanoTime() < until) {
      String scraped = scrape();
      cpu.add(gauge(scraped, "process_cpu_usage", ""));
      heapMb.add(sumOf(scraped, "jvm_memory_used_bytes", "area=\"heap\"") / 1e6);
      double soakingNow = gauge(scraped, "ringmaster_rollouts", "phase=\"SOAKING\"");
      if (Double.isNaN(soakingNow)) scrapesWithoutSoaking++; // seen once in 12: a scrape without the row
      else soaking = Math.max(soaking, soakingNow);
      Thread.sleep(5000);
    }
    oneReader.get(30, TimeUnit.SECONDS);
    listReader.get(60, TimeUnit.SECONDS);
    readers.shutdown();

    // Two bursts of approvals, each for APPROVED rollouts within one second: the first is the JVMs' first approvals
    // (their code still being compiled), the second, 30 s later, for as many others, is the one the figures are of.
    long devServerPid = PidFile.live(work.resolve("var/temporal-dev-server.pid")).map(PidFile::pid).orElse(-1L);
    List<String> first = new ArrayList<>(), ids = new ArrayList<>();
    for (int i = ROLLOUTS - 2 * APPROVED; i < ROLLOUTS; i++) (i < ROLLOUTS - APPROVED ? first : ids).add(RolloutRequest.rolloutId("example-svc-" + i, "1.0.0"));
    Burst cold = burst(first, devServerPid, temporalPort, false);
    Thread.sleep(30_000); // the first burst's aftermath (notifications, soaks starting) is over
    Burst warm = burst(ids, devServerPid, temporalPort, PROFILE != null);
    List<Long> toNextRing = warm.toNextRing();
    String report = String.format("""
        | rollouts soaking | started in (one at a time) | worker CPU (mean of 2 cores' worth, sampled every 5 s for 60 s) | worker heap used mean / max | GET /api/rollouts/{id} p50 / p99 (%d calls) | GET /api/rollouts p50 / p99 (%d calls) | %d approvals (sent 10 ms apart) all answered after | approval → next ring enabled p50 / p99 / max | POST approve p50 / p99 |
        |---|---|---|---|---|---|---|---|---|
        | %.0f (of %d) | %.0f s (p50 %d ms per start) | %.0f %% | %.0f / %.0f MB | %d / %d ms | %d / %d ms | %.2f s | %d / %d / %d ms | %d / %d ms |
        POST approve calls unanswered within 20 s: %d; scrapes of /actuator/prometheus without a ringmaster_rollouts SOAKING row: %d of %d
        where the approval → next ring time goes, p50 / p99: sent → Update accepted %d / %d ms; accepted → EnableRing scheduled %d / %d ms; scheduled → started %d / %d ms; EnableRing running %d / %d ms (a local activity: 0, inside the Update's workflow task)
        from the first approval until the last approve call was answered: %s
        worker settings: %s; worker JVM: %s; dev server JVM: %s
        the first burst, %d other rollouts approved 30 s before (the JVMs' first approvals, their code still being compiled): all answered after %.2f s (unanswered within 20 s: %d); approval → next ring p50 / p99 / max %d / %d / %d ms; POST approve p50 / p99 %d / %d ms; %s
        """, getOne.size(), list.size(), APPROVED, soaking, ROLLOUTS, startSeconds, pct(sorted(starts), 50), mean(cpu) * 100, mean(heapMb), max(heapMb),
        pct(sorted(getOne), 50), pct(sorted(getOne), 99), pct(sorted(list), 50), pct(sorted(list), 99), warm.spread(),
        pct(toNextRing, 50), pct(toNextRing, 99), toNextRing.get(toNextRing.size() - 1), pct(warm.approveCalls(), 50), pct(warm.approveCalls(), 99),
        warm.timeouts(), scrapesWithoutSoaking, cpu.size(), pct(warm.toAccepted(), 50), pct(warm.toAccepted(), 99), pct(warm.toScheduled(), 50), pct(warm.toScheduled(), 99),
        pct(warm.toStarted(), 50), pct(warm.toStarted(), 99), pct(warm.inActivity(), 50), pct(warm.inActivity(), 99),
        warm.cpu(), tuning.isBlank() ? "Ringmaster's defaults" : tuning, String.join(" ", jvm),
        (devServerJvm.isBlank() ? "none" : devServerJvm) + (devServerJvm.equals(DevServerLauncher.DEFAULT_JVM_OPTIONS) ? " (Ringmaster's default)" : "")
            + (recording == null ? "" : "; both recorded by JFR from their start: " + recording),
        APPROVED, cold.spread(), cold.timeouts(), pct(cold.toNextRing(), 50), pct(cold.toNextRing(), 99), cold.toNextRing().get(cold.toNextRing().size() - 1),
        pct(cold.approveCalls(), 50), pct(cold.approveCalls(), 99), cold.cpu());
    System.out.println(report);
    Path out = Path.of("target/benchmarks/scale.md");
    Files.createDirectories(out.getParent());
    Files.writeString(out, report, java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
  }

  /** What one burst of approvals measured: its spread and CPU, the approve calls, and the history's times (ms). */
  record Burst(double spread, String cpu, int timeouts, List<Long> approveCalls, List<Long> toNextRing, List<Long> toAccepted,
      List<Long> toScheduled, List<Long> toStarted, List<Long> inActivity) {}

  /**
   * Approves {@code ids} within one second, once every one of them awaits its approval (one caller each, 10 ms
   * apart), waits for each to soak its next ring, and reads from each history when its approval landed.
   */
  private Burst burst(List<String> ids, long devServerPid, int temporalPort, boolean profile) throws Exception {
    for (String id : ids) awaitPhase(id, "AWAITING_APPROVAL", Duration.ofMinutes(6));
    String before = cpuOver(Duration.ofSeconds(10), devServerPid); // what the burst competes with: the soaks alone
    Map<String, Long> sentAtMillis = new ConcurrentHashMap<>();
    List<Long> approveCalls = Collections.synchronizedList(new ArrayList<>());
    java.util.concurrent.atomic.AtomicInteger approveTimeouts = new java.util.concurrent.atomic.AtomicInteger();
    // One caller per approval, each sending at its own moment, 10 ms apart: 100 approvals arrive within one second.
    ExecutorService approvers = Executors.newFixedThreadPool(ids.size());
    List<Future<?>> sent = new ArrayList<>();
    List<Long> profiled = profile ? (devServerPid > 0 ? List.of(worker.pid(), devServerPid) : List.of(worker.pid())) : List.of();
    long burstStarted = System.nanoTime();
    CpuMark mark = CpuMark.now(worker.pid(), devServerPid);
    double ownCpu0 = cpuSeconds(ProcessHandle.current().pid());
    double approvalsSpread;
    String burstCpu;
    try {
      java.time.Instant startedAtWall = java.time.Instant.now();
      long approvalsStart = System.nanoTime();
      long spacingNanos = TimeUnit.SECONDS.toNanos(1) / ids.size();
      for (int n = 0; n < ids.size(); n++) {
        String id = ids.get(n);
        long sendAt = approvalsStart + n * spacingNanos;
        sent.add(approvers.submit(() -> {
          long wait = sendAt - System.nanoTime();
          if (wait > 0) TimeUnit.NANOSECONDS.sleep(wait);
          sentAtMillis.put(id, System.currentTimeMillis());
          long t0 = System.nanoTime();
          try {
            Answer a = worker.call("POST", "/api/rollouts/" + id + "/approve", JSON.createObjectNode().put("by", "alice").put("comment", "scale benchmark"));
            if (a.status() != 200) throw new AssertionError(id + ": " + a.status() + " " + a.body());
          } catch (java.net.http.HttpTimeoutException e) {
            approveTimeouts.incrementAndGet(); // no answer within 20 s; the history says when the approval landed
          }
          approveCalls.add((System.nanoTime() - t0) / 1_000_000);
          return null;
        }));
      }
      for (Future<?> f : sent) f.get(60, TimeUnit.SECONDS);
      approvalsSpread = (System.nanoTime() - approvalsStart) / 1e9;
      burstCpu = "from " + startedAtWall + " to " + java.time.Instant.now() + " (to match against GC logs): " + mark.spentIn(approvalsSpread) + String.format("\n  the benchmark's own (the callers): %.1f s", cpuSeconds(ProcessHandle.current().pid()) - ownCpu0)
          + "\n  in the 10 s before the burst, with no calls (the soaks alone): " + before;
      approvers.shutdown();
      profileDump(profiled, burstStarted); // the burst alone: the approvals, until the last one is answered
      profiled = List.of();
      for (String id : ids) awaitPhase(id, "SOAKING", Duration.ofMinutes(2));
    } finally {
      profileDump(profiled, burstStarted); // also when an approval or a next ring fails: that is the run worth reading
    }

    // Approval sent → the next ring's EnableRing completed, from each workflow's history (the server's clock; one machine).
    WorkflowServiceStubs stubs = WorkflowServiceStubs.newServiceStubs(WorkflowServiceStubsOptions.newBuilder().setTarget("127.0.0.1:" + temporalPort).build());
    WorkflowClient client = WorkflowClient.newInstance(stubs, WorkflowClientOptions.newBuilder().setNamespace("default").build());
    List<Long> toNextRing = new ArrayList<>(), toAccepted = new ArrayList<>(), toScheduled = new ArrayList<>(), toStarted = new ArrayList<>(),
        inActivity = new ArrayList<>();
    for (String id : ids) {
      List<HistoryEvent> events = client.fetchHistory(id).getHistory().getEventsList();
      Map<Long, String> scheduled = new java.util.HashMap<>();
      Map<Long, Long> scheduledAt = new java.util.HashMap<>();
      long acceptedAt = -1, enableScheduledAt = -1, enableStartedAt = -1, enabledAt = -1;
      int enables = 0;
      for (HistoryEvent e : events) {
        long at = e.getEventTime().getSeconds() * 1000 + e.getEventTime().getNanos() / 1_000_000;
        if (e.getEventType() == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED && acceptedAt < 0) acceptedAt = at;
        if (e.getEventType() == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED) {
          scheduled.put(e.getEventId(), e.getActivityTaskScheduledEventAttributes().getActivityType().getName());
          scheduledAt.put(e.getEventId(), at);
        } else if (e.getEventType() == EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED
            && "EnableRing".equals(scheduled.get(e.getActivityTaskStartedEventAttributes().getScheduledEventId()))) {
          enableStartedAt = at;
          enableScheduledAt = scheduledAt.get(e.getActivityTaskStartedEventAttributes().getScheduledEventId());
        } else if (e.getEventType() == EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED
            && "EnableRing".equals(scheduled.get(e.getActivityTaskCompletedEventAttributes().getScheduledEventId())) && ++enables == 2) {
          enabledAt = at;
          break;
        } else if ("EnableRing".equals(HistoryTimeline.localActivityType(e)) && ++enables == 2) {
          // a local activity: it ran inside the workflow task that accepted the Update; the marker is recorded when
          // that task completes, so "enabled" is counted at that moment (the flag was written before it)
          enabledAt = at;
          enableScheduledAt = enableStartedAt = acceptedAt;
          break;
        }
      }
      if (enabledAt < 0 || acceptedAt < 0) throw new AssertionError(id + ": the approval or the next ring is missing from the history");
      long sentAt = sentAtMillis.get(id);
      toNextRing.add(enabledAt - sentAt);
      toAccepted.add(acceptedAt - sentAt);
      toScheduled.add(enableScheduledAt - acceptedAt);
      toStarted.add(enableStartedAt - enableScheduledAt);
      inActivity.add(enabledAt - enableStartedAt);
    }
    stubs.shutdown();
    Collections.sort(toNextRing);
    assertThat(toNextRing).as("approved rollouts measured").hasSize(ids.size());
    return new Burst(approvalsSpread, burstCpu, approveTimeouts.get(), sorted(approveCalls), toNextRing, sorted(toAccepted),
        sorted(toScheduled), sorted(toStarted), sorted(inActivity));
  }

  /**
   * With {@code -Dringmaster.benchmark.profile=DIR}: the JVM option that has the worker and the test server record CPU
   * samples (Java Flight Recorder) from their start; {@link #profileDump} writes the burst's part to
   * {@code DIR/worker.jfr} and {@code DIR/temporal.jfr} (read them with {@code jfr print} or JDK Mission Control). Started
   * with the JVM, not just before the burst: a recording started in a running JVM set both compiling again (2.6 s and
   * 3.6 s of compiler CPU in the burst on 2026-12-05), which hid what the burst itself costs. CPU samples only: JFR's
   * default settings also record every thread park, which with 2,400 worker threads cost more than the approvals.
   */
  private static String profileOption() throws java.io.IOException {
    Path dir = Path.of(PROFILE).toAbsolutePath();
    Files.createDirectories(dir);
    Path settings = dir.resolve("cpu-samples.jfc");
    Files.writeString(settings, """
        <?xml version="1.0" encoding="UTF-8"?>
        <configuration version="2.0" label="CPU samples">
          <event name="jdk.ExecutionSample"><setting name="enabled">true</setting><setting name="period">10 ms</setting></event>
          <event name="jdk.NativeMethodSample"><setting name="enabled">true</setting><setting name="period">20 ms</setting></event>
        </configuration>
        """);
    return "-XX:StartFlightRecording=name=approvals,settings=" + settings;
  }

  /** Writes what the recordings kept since {@code sinceNanos} (System.nanoTime), plus a second: the burst alone. */
  private void profileDump(List<Long> pids, long sinceNanos) throws Exception {
    if (pids.isEmpty()) return;
    Path dir = Path.of(PROFILE).toAbsolutePath();
    long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - sinceNanos) + 1;
    for (int i = 0; i < pids.size(); i++) {
      jcmd(pids.get(i), "JFR.dump", "name=approvals", "maxage=" + seconds + "s", "filename=" + dir.resolve(i == 0 ? "worker.jfr" : "temporal.jfr"));
    }
  }

  /** CPU time (user + system) a process has used, from /proc (Linux); 0 when it cannot be read. */
  static double cpuSeconds(long pid) {
    try {
      return cpuSecondsOf(Files.readString(Path.of("/proc/" + pid + "/stat")));
    } catch (java.io.IOException | RuntimeException e) {
      return 0;
    }
  }

  /** utime + stime of a /proc stat line (a process's or a thread's), in seconds: clock ticks, USER_HZ 100. */
  private static double cpuSecondsOf(String stat) {
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0;
  }

  /**
   * CPU time (user + system) by kind of thread, from /proc/PID/task (Linux): the thread's name with its numbers taken
   * out ({@code http-nio-127.0.}, {@code GC Thread#}, {@code C2 CompilerThre}, as the kernel keeps 15 characters).
   * Threads that ended in between are missing: a breakdown, not a total.
   */
  private static Map<String, Double> threadCpuSeconds(long pid) {
    Map<String, Double> byKind = new java.util.TreeMap<>();
    try (var tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
      for (Path task : (Iterable<Path>) tasks::iterator) {
        try {
          String stat = Files.readString(task.resolve("stat"));
          String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')')).replaceAll("\\d+", "N");
          byKind.merge(name, cpuSecondsOf(stat), Double::sum);
        } catch (java.io.IOException | RuntimeException ended) {
          // the thread ended while being read
        }
      }
    } catch (java.io.IOException | RuntimeException e) {
      return Map.of();
    }
    return byKind;
  }

  /** The worker's and the test server's CPU over {@code d} of nothing but waiting here, in all and by kind of thread. */
  private String cpuOver(Duration d, long devServerPid) throws Exception {
    CpuMark mark = CpuMark.now(worker.pid(), devServerPid);
    Thread.sleep(d.toMillis());
    return mark.spentIn(d.toSeconds());
  }

  /** CPU time read now of the worker and the test server, in all and by kind of thread, to say what was spent since. */
  private record CpuMark(long workerPid, long devServerPid, double worker, double devServer, Map<String, Double> workerThreads,
      Map<String, Double> devServerThreads) {
    static CpuMark now(long workerPid, long devServerPid) {
      return new CpuMark(workerPid, devServerPid, cpuSeconds(workerPid), cpuSeconds(devServerPid), threadCpuSeconds(workerPid),
          threadCpuSeconds(devServerPid));
    }

    String spentIn(double seconds) {
      return String.format("%.1f s of the worker's CPU and %.1f s of the test server's in %.1f s (2 cores: %.1f s at most)",
          cpuSeconds(workerPid) - worker, cpuSeconds(devServerPid) - devServer, seconds, 2 * seconds)
          + "\n  worker's by thread: " + threadCpuSpent(workerThreads, threadCpuSeconds(workerPid))
          + "\n  test server's by thread: " + threadCpuSpent(devServerThreads, threadCpuSeconds(devServerPid));
    }
  }

  /** The kinds of thread that used the most CPU between two readings, most first. */
  private static String threadCpuSpent(Map<String, Double> before, Map<String, Double> after) {
    return after.entrySet().stream().map(e -> Map.entry(e.getKey(), e.getValue() - before.getOrDefault(e.getKey(), 0.0)))
        .filter(e -> e.getValue() >= 0.05).sorted(Map.Entry.<String, Double>comparingByValue().reversed()).limit(10)
        .map(e -> String.format("%s %.2f s", e.getKey(), e.getValue())).collect(java.util.stream.Collectors.joining(", "));
  }

  private static void jcmd(long pid, String... command) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(), String.valueOf(pid)));
    cmd.addAll(List.of(command));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) throw new IllegalStateException(String.join(" ", cmd) + ": " + out);
  }

  private void awaitPhase(String id, String phase, Duration within) {
    await().atMost(within).pollInterval(Duration.ofSeconds(1)).ignoreExceptions()
        .until(() -> worker.call("GET", "/api/rollouts/" + id, null).body(), b -> b != null && phase.equals(b.path("phase").asText()));
  }

  /** {@code /actuator/prometheus}, open on loopback. */
  private String scrape() throws Exception {
    return java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
        java.net.URI.create("http://127.0.0.1:" + worker.port() + "/actuator/prometheus")).timeout(Duration.ofSeconds(20)).build(),
        java.net.http.HttpResponse.BodyHandlers.ofString()).body();
  }

  interface Call {
    Answer run() throws Exception;
  }

  private static long timed(Call c) throws Exception {
    long t0 = System.nanoTime();
    Answer a = c.run();
    if (a.status() != 200) throw new AssertionError(a.status() + " " + a.body());
    return (System.nanoTime() - t0) / 1_000_000;
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static double gauge(String scraped, String name, String label) {
    return values(scraped, name, label).stream().findFirst().orElse(Double.NaN);
  }

  private static double sumOf(String scraped, String name, String label) {
    return values(scraped, name, label).stream().mapToDouble(Double::doubleValue).sum();
  }

  private static List<Double> values(String scraped, String name, String label) {
    List<Double> out = new ArrayList<>();
    Matcher m = Pattern.compile("(?m)^" + name + "(\\{[^}]*})? ([0-9.eE+-]+)$").matcher(scraped);
    while (m.find()) if (label.isEmpty() || (m.group(1) != null && m.group(1).contains(label))) out.add(Double.parseDouble(m.group(2)));
    return out;
  }

  private static List<Long> sorted(List<Long> xs) {
    List<Long> s = new ArrayList<>(xs);
    Collections.sort(s);
    return s;
  }

  private static long pct(List<Long> sorted, int p) {
    if (sorted.isEmpty()) return -1;
    int i = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
    return sorted.get(Math.max(0, Math.min(i, sorted.size() - 1)));
  }

  private static double mean(List<Double> xs) {
    return xs.stream().filter(d -> !d.isNaN()).mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
  }

  private static double max(List<Double> xs) {
    return xs.stream().filter(d -> !d.isNaN()).mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
  }
}
