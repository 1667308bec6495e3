package dev.ringmaster.analysis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ringmaster.pipeline.OperatorAction;
import dev.ringmaster.pipeline.Phase;
import dev.ringmaster.pipeline.RolloutResult;
import dev.ringmaster.pipeline.RolloutWorkflow;
import dev.ringmaster.pipeline.State;
import dev.ringmaster.support.DefinitionBuilder;
import dev.ringmaster.support.FakeActivities;
import dev.ringmaster.support.TemporalTests;
import dev.ringmaster.support.TestDefinitions;
import dev.ringmaster.support.TestRollouts;
import dev.ringmaster.support.TestSources;
import io.temporal.activity.ActivityOptions;
import io.temporal.api.enums.v1.EventType;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowStub;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import io.temporal.testing.TestActivityEnvironment;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.Worker;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A soak the workflow has cancelled must not pull the kill switch. The SDK hears of a cancellation only in the answer
 * to a heartbeat it sends, at most every 8 s (0.8 × WatchSoak's 10 s heartbeat timeout): a soak paused seconds after
 * its last heartbeat went out keeps measuring, and without asking the server first, its FAILED verdict turned the flag
 * off under a paused rollout (or under the next ring, after a promotion). The real soak watcher, over a scripted source,
 * on Temporal's test server; the flags are test doubles that record each call.
 */
@Timeout(120)
class CancelledSoakTest {
  @RegisterExtension
  static final TestWorkflowExtension temporal = TemporalTests.rolloutExtension();

  /** Gates every second on a 2 min soak; one FAILED measurement rolls back. */
  static final String DEFINITION = DefinitionBuilder.checkout()
      .analysis("prom", "1s", 1, 3, 10, "- { name: error-rate, canary: errors, samples: requests, failIf: canary > 0.2 }")
      .ring("canary", "{ percent: 5 }", "2m").ring("everyone", "{ percent: 100 }", "1s").yaml();

  @Test
  void aSoakPausedBeforeItsFailedVerdictLeavesTheFlagAloneAndTheResumedSoakPullsIt(TestWorkflowEnvironment env, WorkflowClient client, Worker worker)
      throws Exception {
    FakeActivities activities = new FakeActivities();
    TripwireTest.Scripted source = new TripwireTest.Scripted();
    worker.registerActivitiesImplementations(activities, analysis(source, activities, client));
    env.start();
    RolloutWorkflow wf = TestRollouts.start(client, worker, TestDefinitions.request(DEFINITION, "1.7.0", "dave"));
    String id = WorkflowStub.fromTyped(wf).getExecution().getWorkflowId();
    await().atMost(Duration.ofSeconds(30)).until(() -> wf.status().phase() == Phase.SOAKING);
    // the soak's first heartbeat goes out at once, the SDK's next not before 8 s later: pause in between
    await().atMost(Duration.ofSeconds(10)).until(() -> source.reads.get() >= 2);

    wf.pause(new OperatorAction("sre-on-call", "rest", "looking at a dashboard"));
    await().atMost(Duration.ofSeconds(10)).until(() -> wf.status().state() == State.PAUSED);
    await("the server has the soak's cancellation").atMost(Duration.ofSeconds(10))
        .until(() -> events(client, id).contains(EventType.EVENT_TYPE_ACTIVITY_TASK_CANCEL_REQUESTED));
    source.canary = 0.9; // the cancelled soak's next measurement fails
    await("the cancelled soak ended").atMost(Duration.ofSeconds(20)).until(() -> afterCancelRequest(client, id).stream()
        .anyMatch(e -> e == EventType.EVENT_TYPE_ACTIVITY_TASK_CANCELED || e == EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED));
    int readsWhenEnded = source.reads.get();

    assertThat(activities.changes()).as("the paused rollout's flag stays as the workflow left it").doesNotContain("KillSwitch")
        .containsSubsequence("EnableRing canary 5%");
    assertThat(afterCancelRequest(client, id)).as("the soak ended as cancelled").contains(EventType.EVENT_TYPE_ACTIVITY_TASK_CANCELED);
    assertThat(readsWhenEnded).as("the cancelled soak measured the failure before it ended").isGreaterThan(2);
    assertThat(wf.status().state()).isEqualTo(State.PAUSED);

    wf.resume(new OperatorAction("sre-on-call", "rest", null));
    RolloutResult r = WorkflowStub.fromTyped(wf).getResultAsync(RolloutResult.class).get(60, TimeUnit.SECONDS);
    assertThat(r.state()).isEqualTo(State.ROLLED_BACK);
    assertThat(r.status().rollbackReason()).startsWith("gates FAILED in ring canary: ");
    assertThat(activities.changes()).as("the resumed soak, still wanted, pulls it at its FAILED verdict, once")
        .filteredOn("KillSwitch"::equals).hasSize(1);
    assertThat(r.status().rollbackSteps().get(0)).startsWith("KillSwitch: new-checkout-flow off for everyone at the FAILED verdict, by the soak's watcher (");
  }

  /**
   * The server refusing the connection (nothing listens), or taking it and never answering (the SDK's own wait is 60
   * s here): either way the FAILED verdict pulls the kill switch, after at most {@code StillWanted.WAIT} for the
   * silent one, far inside the 30 s the test gives it.
   */
  @ParameterizedTest(name = "server {0}")
  @ValueSource(strings = {"refusing", "silent"})
  void whenTheServerCannotBeAskedTheFailedVerdictStillPullsTheKillSwitch(String server) throws Exception {
    java.net.ServerSocket silent = new java.net.ServerSocket(0);
    int port = silent.getLocalPort();
    if (server.equals("refusing")) silent.close();
    List<java.net.Socket> held = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
    Thread acceptor = new Thread(() -> {
      try {
        while (true) held.add(silent.accept()); // takes connections, reads nothing, answers nothing
      } catch (java.io.IOException closed) {
        // the test is over
      }
    });
    acceptor.setDaemon(true);
    acceptor.start();
    WorkflowServiceStubs nowhere = WorkflowServiceStubs.newServiceStubs(WorkflowServiceStubsOptions.newBuilder()
        .setTarget("127.0.0.1:" + port).setRpcTimeout(Duration.ofSeconds(60)).build());
    TestActivityEnvironment activityEnv = TestActivityEnvironment.newInstance();
    try {
      FakeActivities flags = new FakeActivities();
      TripwireTest.Scripted source = new TripwireTest.Scripted();
      source.canary = 0.9;
      activityEnv.registerActivitiesImplementations(analysis(source, flags, WorkflowClient.newInstance(nowhere)));
      AnalysisActivities soak = activityEnv.newActivityStub(AnalysisActivities.class, ActivityOptions.newBuilder()
          .setStartToCloseTimeout(Duration.ofMinutes(2)).setHeartbeatTimeout(Duration.ofSeconds(10)).build());
      var flag = new dev.ringmaster.flags.FlagTarget("flags", "new-checkout-flow", "rollout-checkout-1.7.1", "team-checkout", null);
      var analysis = TestDefinitions.load(DEFINITION).spec().analysis();
      AnalysisRequest request = new AnalysisRequest("rollout-checkout-1.7.1", "canary", analysis, java.time.Instant.now().plusSeconds(60), null, flag);

      SoakVerdict v = java.util.concurrent.CompletableFuture.supplyAsync(() -> soak.watchSoak(request)).get(30, TimeUnit.SECONDS);

      assertThat(v.outcome()).isEqualTo(Outcome.FAILED);
      assertThat(v.killSwitch()).as("a failing version goes off even when the server cannot say the soak is still wanted").isNotNull();
      assertThat(flags.changes()).containsExactly("KillSwitch");
    } finally {
      activityEnv.close();
      nowhere.shutdownNow();
      silent.close();
      acceptor.join(5000);
      for (java.net.Socket s : held) s.close();
    }
  }

  private static List<EventType> events(WorkflowClient client, String id) {
    return client.fetchHistory(id).getEvents().stream().map(e -> e.getEventType()).toList();
  }

  /** The history's events after the (one) activity cancellation request. */
  private static List<EventType> afterCancelRequest(WorkflowClient client, String id) {
    List<EventType> events = events(client, id);
    return events.subList(events.indexOf(EventType.EVENT_TYPE_ACTIVITY_TASK_CANCEL_REQUESTED) + 1, events.size());
  }

  /** The real analysis activities on the scripted source behind connection {@code prom}, pulling the doubles' kill switch. */
  private static AnalysisActivitiesImpl analysis(TripwireTest.Scripted source, FakeActivities flags, WorkflowClient client) {
    return new AnalysisActivitiesImpl(TestSources.prom(source), SoakClock.SYSTEM, flags::killSwitch, client);
  }
}
