package dev.ringmaster.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ringmaster.analysis.AnalysisActivities;
import dev.ringmaster.analysis.AnalysisRequest;
import dev.ringmaster.analysis.Measurement;
import dev.ringmaster.analysis.SoakVerdict;
import dev.ringmaster.definition.RolloutDefinition;
import dev.ringmaster.definition.RolloutDefinition.Ring;
import dev.ringmaster.definition.RolloutDefinition.Spec;
import dev.ringmaster.rollouts.HistoryTimeline;
import dev.ringmaster.support.DefinitionBuilder;
import dev.ringmaster.support.FakeActivities;
import dev.ringmaster.support.TestDefinitions;
import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityOptions;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * What Ringmaster's orchestration costs on top of Temporal: a rollout whose adapters are no-ops (in memory), N rings,
 * no soak, against two plain workflows on the same server and worker in the same run — one that runs a single no-op
 * activity (a round trip: start, one activity, result), and one that runs as many no-op activities in a row as the
 * rollout has pipeline steps. Runs interleave, after a warm-up. Not a test: run it with
 * <pre>mvn test -Dtest=OrchestrationOverheadBenchmark -Dringmaster.benchmark=true -Dringmaster.benchmark.runs=200</pre>
 * Results go to the console and target/benchmarks/orchestration-overhead.md; BENCHMARKS.md keeps the figures.
 */
class OrchestrationOverheadBenchmark {
  static final int RUNS = Integer.getInteger("ringmaster.benchmark.runs", 200);
  static final int RINGS = Integer.getInteger("ringmaster.benchmark.rings", 4);
  static final int WARMUP = 30;

  @ActivityInterface
  public interface NoOp {
    String step(String in);
  }

  public static class NoOpImpl implements NoOp {
    @Override
    public String step(String in) {
      return in;
    }
  }

  @WorkflowInterface
  public interface Plain {
    @WorkflowMethod
    String run(int activities);
  }

  public static class PlainImpl implements Plain {
    private final NoOp noOp = Workflow.newActivityStub(NoOp.class, ActivityOptions.newBuilder().setStartToCloseTimeout(Duration.ofSeconds(10)).build());

    @Override
    public String run(int activities) {
      String s = "";
      for (int i = 0; i < activities; i++) s = noOp.step("step " + i);
      return s;
    }
  }

  /** Gates that never run: the rollout has no analysis; present only because the worker registers every port. */
  static final class NoAnalysis implements AnalysisActivities {
    @Override
    public void checkGates(AnalysisRequest step) {}

    @Override
    public Measurement measureGates(AnalysisRequest step) {
      throw new UnsupportedOperationException();
    }

    @Override
    public SoakVerdict watchSoak(AnalysisRequest request) {
      throw new UnsupportedOperationException();
    }
  }

  /** A valid definition of {@code rings} rings, its soaks then set to zero (the validator wants a soak; here it costs nothing). */
  static RolloutRequest noSoak(int rings, String version) {
    DefinitionBuilder b = DefinitionBuilder.checkout();
    for (int i = 0; i < rings; i++) b.ring("ring-" + i, "{ percent: " + (i == rings - 1 ? 100 : 10 * (i + 1)) + " }", "1m");
    RolloutRequest r = TestDefinitions.request(b.yaml(), version, "bench");
    RolloutDefinition d = r.definition();
    Spec s = d.spec();
    List<Ring> zero = s.rings().stream().map(x -> new Ring(x.name(), x.audience(), Duration.ZERO, null)).toList();
    RolloutDefinition nd = new RolloutDefinition(d.apiVersion(), d.kind(), d.metadata(),
        new Spec(s.strategy(), s.flag(), s.migration(), s.deploy(), s.analysis(), zero, s.contract(), s.notifications()));
    return new RolloutRequest(r.rolloutId(), nd, r.version(), r.commit(), r.triggeredBy(), r.ciRunUrl(), r.requestedAt(), null, r.triggeredVia());
  }

  @Test
  void orchestrationOverhead() throws Exception {
    Assumptions.assumeTrue(Boolean.getBoolean("ringmaster.benchmark"), "a benchmark: run with -Dringmaster.benchmark=true");
    TestWorkflowEnvironment env = TestWorkflowEnvironment.newInstance();
    try {
      RolloutSearchAttributes.ALL.forEach(k -> env.registerSearchAttribute(k.getName(), IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD));
      Worker worker = env.newWorker("bench");
      worker.registerWorkflowImplementationTypes(RolloutWorkflowImpl.class, PlainImpl.class);
      worker.registerActivitiesImplementations(new FakeActivities(), new NoAnalysis(), new NoOpImpl());
      env.start();
      WorkflowClient client = env.getWorkflowClient();

      // What one rollout is made of, from its history: pipeline steps (activities other than notifications), workflow tasks.
      RolloutRequest probe = noSoak(RINGS, "probe");
      RolloutResult pr = rollout(client, probe);
      assertThat(pr.state()).as(pr.message()).isEqualTo(State.SUCCEEDED);
      List<HistoryEvent> events = client.fetchHistory(probe.rolloutId()).getHistory().getEventsList();
      Map<String, Integer> activities = new TreeMap<>();
      events.stream().filter(e -> e.getEventType() == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED)
          .forEach(e -> activities.merge(e.getActivityTaskScheduledEventAttributes().getActivityType().getName(), 1, Integer::sum));
      // Local activities (EnableRing, a kill switch) are pipeline steps too: they run inside a workflow task, and
      // their history holds a marker, not an activity's events.
      Map<String, Integer> local = new TreeMap<>();
      events.stream().map(HistoryTimeline::localActivityType).filter(Objects::nonNull).forEach(type -> local.merge(type, 1, Integer::sum));
      int notifications = activities.getOrDefault("Notify", 0);
      int steps = activities.values().stream().mapToInt(Integer::intValue).sum() - notifications + local.values().stream().mapToInt(Integer::intValue).sum();
      long workflowTasks = events.stream().filter(e -> e.getEventType() == EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED).count();
      System.out.println("one rollout of " + RINGS + " rings: " + events.size() + " events, " + workflowTasks + " workflow tasks, activities " + activities
          + ", local activities " + local);

      List<Long> one = new ArrayList<>(), plainSteps = new ArrayList<>(), rollout = new ArrayList<>();
      for (int run = -WARMUP; run < RUNS; run++) {
        boolean measured = run >= 0;
        long a = nanos(() -> plain(client, 1));
        long b = nanos(() -> plain(client, steps));
        int n = run + WARMUP;
        long c = nanos(() -> {
          RolloutResult r = rollout(client, noSoak(RINGS, "r" + n));
          if (r.state() != State.SUCCEEDED) throw new AssertionError(r.message());
          return r;
        });
        if (measured) {
          one.add(a);
          plainSteps.add(b);
          rollout.add(c);
        }
      }
      assertThat(rollout).as("measured runs").hasSize(RUNS);
      double oneMs = median(one), plainMs = median(plainSteps), rolloutMs = median(rollout);
      double perStep = rolloutMs / steps, plainPerStep = plainMs / steps;
      String report = String.format("""
          | rings | pipeline steps (activities and local activities) | notifications (async, as activities) | workflow tasks | runs | one-activity workflow round trip | plain workflow of %d activities (per activity) | rollout (per step) | per step ÷ round trip | per step ÷ plain per activity |
          |---|---|---|---|---|---|---|---|---|---|
          | %d | %d | %d | %d | %d | %.2f ms | %.2f ms (%.2f ms) | %.2f ms (%.2f ms) | %.2f× | %.2f× |
          """, steps, RINGS, steps, notifications, workflowTasks, RUNS, oneMs, plainMs, plainPerStep, rolloutMs, perStep, perStep / oneMs, perStep / plainPerStep)
          + "\nactivities per rollout: " + activities + ", local activities: " + local + "; p99: round trip " + String.format("%.2f", pct(one, 99)) + " ms, plain "
          + String.format("%.2f", pct(plainSteps, 99)) + " ms, rollout " + String.format("%.2f", pct(rollout, 99)) + " ms\n";
      System.out.println(report);
      Path out = Path.of("target/benchmarks/orchestration-overhead.md");
      Files.createDirectories(out.getParent());
      Files.writeString(out, report);
    } finally {
      env.close();
    }
  }

  private static RolloutResult rollout(WorkflowClient client, RolloutRequest req) {
    return client.newWorkflowStub(RolloutWorkflow.class, WorkflowOptions.newBuilder().setWorkflowId(req.rolloutId()).setTaskQueue("bench").build()).run(req);
  }

  private static String plain(WorkflowClient client, int activities) {
    return client.newWorkflowStub(Plain.class, WorkflowOptions.newBuilder().setTaskQueue("bench").build()).run(activities);
  }

  private static long nanos(Supplier<?> s) {
    long t = System.nanoTime();
    s.get();
    return System.nanoTime() - t;
  }

  private static double median(List<Long> xs) {
    return pct(xs, 50);
  }

  private static double pct(List<Long> xs, int p) {
    List<Long> sorted = new ArrayList<>(xs);
    Collections.sort(sorted);
    int i = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
    return sorted.get(Math.max(0, Math.min(i, sorted.size() - 1))) / 1e6;
  }
}
