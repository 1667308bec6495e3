package dev.ringmaster.pipeline;

import static dev.ringmaster.support.TestDefinitions.APPROVAL;
import static dev.ringmaster.support.TestDefinitions.WITH_ANALYSIS;
import static dev.ringmaster.support.TestDefinitions.request;
import static dev.ringmaster.support.TestDefinitions.threeRings;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import dev.ringmaster.analysis.Outcome;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.ringmaster.flags.FlagSnapshot;
import dev.ringmaster.notify.Notification;
import dev.ringmaster.notify.Notification.Kind;
import dev.ringmaster.support.DefinitionBuilder;
import dev.ringmaster.support.FakeActivities;
import dev.ringmaster.support.TemporalTests;
import dev.ringmaster.support.TestRollouts;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowStub;
import io.temporal.client.WorkflowUpdateException;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.Worker;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

@Timeout(120)
class RolloutWorkflowTest {

  @RegisterExtension
  static final TestWorkflowExtension temporal = TemporalTests.rolloutExtension();

  private final FakeActivities activities = new FakeActivities();
  private TestWorkflowEnvironment env;
  private WorkflowClient client;
  private Worker worker;

  @BeforeEach
  void setUp(TestWorkflowEnvironment env, WorkflowClient client, Worker worker) {
    this.env = env;
    this.client = client;
    this.worker = worker;
    worker.registerActivitiesImplementations(activities, activities.analysis);
    env.start();
  }

  private RolloutWorkflow start(RolloutRequest req) {
    return TestRollouts.start(client, worker, req);
  }

  private static RolloutResult result(RolloutWorkflow wf) {
    return TestRollouts.result(wf);
  }

  private RolloutStatus awaitStatus(RolloutWorkflow wf, Predicate<RolloutStatus> condition, String what) {
    return TestRollouts.awaitStatus(env, wf, condition, what);
  }

  /** Polls in real time: while an activity runs (a soak the double holds open) the test server does not skip time. */
  private static RolloutStatus awaitRealTime(RolloutWorkflow wf, Predicate<RolloutStatus> condition, String what) {
    long deadline = System.currentTimeMillis() + 30_000;
    while (System.currentTimeMillis() < deadline) {
      RolloutStatus s = wf.status();
      if (condition.test(s)) return s;
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    return fail("rollout never reached: " + what + "; last status " + wf.status());
  }

  private RolloutStatus awaitPhase(RolloutWorkflow wf, Phase phase) {
    return awaitStatus(wf, s -> s.phase() == phase, "phase " + phase);
  }

  private static String refusal(Runnable update) {
    try {
      update.run();
    } catch (WorkflowUpdateException e) {
      Refusal r = Refusal.of(e).orElseThrow(() -> new AssertionError("not a refusal: " + chain(e), e));
      return r.type() + ": " + r.message();
    }
    return fail("the update was accepted");
  }

  private static String chain(Throwable t) {
    StringBuilder sb = new StringBuilder();
    for (; t != null; t = t.getCause()) sb.append(" <- ").append(t.getClass().getSimpleName()).append(": ").append(t.getMessage());
    return sb.toString();
  }

  @Test
  void happyPathGoesThroughThreeRingsWithAnApprovalAndRetiresTheFlag() {
    RolloutWorkflow wf = start(request(threeRings(APPROVAL), "1.4.2", "dave"));
    RolloutStatus waiting = awaitPhase(wf, Phase.AWAITING_APPROVAL);
    assertThat(waiting.awaiting()).isEqualTo("canary");
    assertThat(waiting.rings().get(0).state()).isEqualTo(RingState.DONE);

    ApprovalReceipt receipt = wf.approve(Decision.of("alice", "gates look fine", "rest"));
    assertThat(receipt.approvals()).isEqualTo(1);

    RolloutResult r = result(wf);
    assertThat(r.state()).isEqualTo(State.SUCCEEDED);
    assertThat(r.status().phase()).isEqualTo(Phase.SUCCEEDED);
    assertThat(r.status().pastPointOfNoReturn()).isTrue();
    assertThat(r.status().previousVersion()).isEqualTo("1.4.1");
    assertThat(r.status().approvals()).extracting(ApprovalRecord::by, ApprovalRecord::decision).containsExactly(
        org.assertj.core.groups.Tuple.tuple("alice", "APPROVED"));
    assertThat(activities.changes()).containsExactly(
        "DeployVersion 1.4.2",
        "EnableRing internal tenants [acme-internal]",
        "EnableRing canary tenants [acme-internal] + 5%",
        "EnableRing everyone tenants [acme-internal] + 100%",
        "RetireFlag");
  }

  static final FlagSnapshot RELEASED = new FlagSnapshot("new-checkout-flow", true, true, true, "rollout-checkout-1.4.1",
      "default on for everyone, retired", "{}");

  @Test
  void aFlagAnEarlierRolloutReleasedIsRefusedAtPreFlightAndNothingIsTouched() {
    activities.flagBefore = RELEASED;
    RolloutResult r = result(start(request(threeRings(APPROVAL), "1.4.2", "dave")));
    assertThat(r.state()).isEqualTo(State.ROLLED_BACK);
    assertThat(r.status().rollbackReason()).isEqualTo("CaptureFlagState failed: flag new-checkout-flow was fully released by "
        + "rollout-checkout-1.4.1 (default on for everyone, retired); use a new flag key for a new feature, or set spec.flag.reuse: true "
        + "to roll this flag out again");
    assertThat(activities.calls).containsExactly("CaptureFlagState");
    assertThat(r.status().rollbackSteps()).isEmpty();
  }

  @Test
  void aReusedFlagIsPutBackAsTheEarlierRolloutLeftItAfterTheKillSwitch() {
    activities.flagBefore = RELEASED;
    String reusing = threeRings(APPROVAL).replace("flag: { key: new-checkout-flow, connection: flags }", "flag: { key: new-checkout-flow, connection: flags, reuse: true }");
    RolloutWorkflow wf = start(request(reusing, "1.4.2", "dave"));
    RolloutStatus waiting = awaitPhase(wf, Phase.AWAITING_APPROVAL);
    assertThat(waiting.flagBefore()).isEqualTo("default on for everyone, retired (released by rollout-checkout-1.4.1; reused)");
    wf.reject(Decision.of("bob", "not yet", "rest"));
    RolloutResult r = result(wf);
    assertThat(activities.changes()).endsWith("KillSwitch", "RestoreFlag default on for everyone, retired", "RedeployPrevious 1.4.1");
    assertThat(r.status().rollbackSteps()).anyMatch(s -> s.startsWith("RestoreFlag: new-checkout-flow as it was before this rollout"));
  }

  @Test
  void aFailureWithoutAMessageStillSaysWhatFailedNeverAnEmptyReason() {
    // What an orphaned PostgreSQL once caused: "CheckExpandSafety failed: " and nothing after it.
    activities.expandSafetyFailure = new java.nio.channels.OverlappingFileLockException();
    String yaml = dev.ringmaster.support.DefinitionBuilder.checkout().migration("db", "classpath:x/expand", "classpath:x/contract", null)
        .ring("everyone", "{ percent: 100 }", "1h").yaml();
    RolloutResult r = result(start(request(yaml, "1.4.2", "dave")));
    assertThat(r.state()).isEqualTo(State.ROLLED_BACK);
    assertThat(r.status().rollbackReason()).isEqualTo("CheckExpandSafety failed: java.nio.channels.OverlappingFileLockException (without a message)");
  }

  @Test
  void rejectionTurnsTheFlagOffBeforeRedeployingThePreviousVersion() {
    RolloutWorkflow wf = start(request(threeRings(APPROVAL), "1.4.2", "dave"));
    awaitPhase(wf, Phase.AWAITING_APPROVAL);
    wf.reject(Decision.of("bob", "error budget is burning", "rest"));

    RolloutResult r = result(wf);
    assertThat(r.state()).isEqualTo(State.ROLLED_BACK);
    assertThat(r.status().rollbackReason()).contains("rejected by bob").contains("error budget is burning");
    assertThat(activities.changes()).containsExactly(
        "DeployVersion 1.4.2",
        "EnableRing internal tenants [acme-internal]",
        "EnableRing canary tenants [acme-internal] + 5%",
        "KillSwitch", "RestoreFlag did not exist", "RedeployPrevious 1.4.1");
    assertThat(r.status().rings()).extracting(RingStatus::state).containsExactly(RingState.ROLLED_BACK, RingState.ROLLED_BACK, RingState.PENDING);
  }

  @Test
  void approvalTimeoutWithOnTimeoutRollbackRollsBack() {
    RolloutWorkflow wf = start(request(threeRings(APPROVAL), "1.4.2", "dave"));
    awaitPhase(wf, Phase.AWAITING_APPROVAL);
    env.sleep(Duration.ofHours(5));

    RolloutResult r = result(wf);
    assertThat(r.state()).isEqualTo(State.ROLLED_BACK);
    assertThat(r.status().rollbackReason()).contains("approval of 'canary' timed out after 4h");
    assertThat(activities.changes()).endsWith("KillSwitch", "RestoreFlag did not exist", "RedeployPrevious 1.4.1");
  }

  @Test
  void approvalTimeoutWithOnTimeoutHoldKeepsWaitingForADecision() {
    RolloutWorkflow wf = start(request(threeRings("{ approvers: [alice], timeout: 4h, onTimeout: hold }"), "1.4.2", "dave"));
    awaitPhase(wf, Phase.AWAITING_APPROVAL);
    env.sleep(Duration.ofHours(30));

    RolloutStatus held = wf.status();
    assertThat(held.state()).isEqualTo(State.PAUSED);
    assertThat(held.phase()).isEqualTo(Phase.AWAITING_APPROVAL);
    assertThat(held.message()).contains("timed out").contains("holding");
    assertThat(activities.changes()).doesNotContain("KillSwitch").doesNotContain("EnableRing everyone tenants [acme-internal] + 100%");

    wf.approve(Decision.of("alice", "late but fine", "slack"));
    assertThat(result(wf).state()).isEqualTo(State.SUCCEEDED);
  }

  @Test
  void abortMidSoakRollsBackWithoutEnablingFurtherRings() {
    RolloutWorkflow wf = start(request(threeRings(APPROVAL), "1.4.2", "dave"));
    awaitStatus(wf, s -> s.phase() == Phase.SOAKING && s.currentRing() == 0, "soaking ring internal");
    wf.abort(new OperatorAction("sre-on-call", "rest", "checkout latency alert"));

    RolloutResult r = result(wf);
    assertThat(r.state()).isEqualTo(State.ROLLED_BACK);
    assertThat(r.status().rollbackReason()).isEqualTo("aborted by sre-on-call via rest: checkout latency alert");
    assertThat(activities.changes()).containsExactly(
        "DeployVersion 1.4.2", "EnableRing internal tenants [acme-internal]", "KillSwitch", "RestoreFlag did not exist", "RedeployPrevious 1.4.1");
  }

  @Test
  void aRollbackRedeploysTheLastVersionThatSucceededNotAnUnprovenOneTheTargetRuns() {
    // 1.4.1 runs on the target, but it never went through its rings; the last rollout that succeeded shipped 1.3.0.
    RolloutRequest plain = request(threeRings(APPROVAL), "1.4.2", "dave");
    RolloutRequest req = new RolloutRequest(plain.rolloutId(), plain.definition(), plain.version(), plain.commit(), plain.triggeredBy(),
        plain.ciRunUrl(), plain.requestedAt(), new RolloutRequest.KnownGood("rollout-checkout-1.3.0", "1.3.0"), "rest");
    RolloutWorkflow wf = start(req);
    RolloutStatus soaking = awaitStatus(wf, s -> s.phase() == Phase.SOAKING, "soaking");
    assertThat(soaking.previousVersion()).isEqualTo("1.3.0");
    assertThat(soaking.previousVersionWhy()).isEqualTo("the deploy target runs 1.4.1 but the last rollout of this service that succeeded is "
        + "rollout-checkout-1.3.0 (1.3.0): a rollback redeploys 1.3.0");
    wf.abort(new OperatorAction("sre-on-call", "rest", "latency"));

    RolloutResult r = result(wf);
    assertThat(r.state()).isEqualTo(State.ROLLED_BACK);
    assertThat(activities.changes()).endsWith("KillSwitch", "RestoreFlag did not exist", "RedeployPrevious 1.3.0");
  }

  @Test
  void whenTheTargetRunsTheLastVersionThatSucceededNothingNeedsExplaining() {
    RolloutRequest plain = request(threeRings(APPROVAL), "1.4.2", "dave");
    RolloutWorkflow wf = start(new RolloutRequest(plain.rolloutId(), plain.definition(), plain.version(), plain.commit(), plain.triggeredBy(),
        plain.ciRunUrl(), plain.requestedAt(), new RolloutRequest.KnownGood("rollout-checkout-1.4.1", "1.4.1"), "rest"));
    RolloutStatus soaking = awaitStatus(wf, s -> s.phase() == Phase.SOAKING, "soaking");
    assertThat(soaking.previousVersion()).isEqualTo("1.4.1");
    assertThat(soaking.previousVersionWhy()).isNull();
    wf.abort(new OperatorAction("sre-on-call", "rest", "latency"));
    assertThat(activities.changes()).isNotEmpty();
    assertThat(result(wf).status().rollbackSteps()).anyMatch(step -> step.startsWith("RedeployPrevious: 1.4.1"));
  }

  @Test
  void cancellingTheWorkflowFromTheTemporalUiRollsBackInsteadOfStrandingTheRelease() {
    RolloutWorkflow wf = start(request(threeRings(APPROVAL), "1.4.2", "dave"));
    awaitStatus(wf, s -> s.phase() == Phase.SOAKING && s.currentRing() == 0, "soaking ring internal");
    WorkflowStub.fromTyped(wf).cancel();

    // Temporal closes a cancel-requested workflow as Cancelled; before closing, the rollout compensated.
    assertThatThrownBy(() -> result(wf)).isInstanceOf(io.temporal.client.WorkflowFailedException.class)
        .hasCauseInstanceOf(io.temporal.failure.CanceledFailure.class);
    assertThat(activities.changes()).endsWith("KillSwitch", "RestoreFlag did not exist", "RedeployPrevious 1.4.1");
    RolloutStatus after = wf.status();
    assertThat(after.state()).isEqualTo(State.ROLLED_BACK);
    assertThat(after.rollbackReason()).isEqualTo("workflow cancelled");
  }

  @Test
  void abortWhileAwaitingApprovalRollsBack() {
    RolloutWorkflow wf = start(request(threeRings(APPROVAL), "1.4.2", "dave"));
    awaitPhase(wf, Phase.AWAITING_APPROVAL);
    wf.abort(new OperatorAction("sre-on-call", "rest", "freeze"));

    RolloutResult r = result(wf);
    assertThat(r.state()).isEqualTo(State.ROLLED_BACK);
    assertThat(activities.changes()).endsWith("KillSwitch", "RestoreFlag did not exist", "RedeployPrevious 1.4.1");
    assertThat(r.status().approvals()).isEmpty();
  }

  @Test
  void pauseHoldsTheRingPastItsSoakUntilResumed() {
    RolloutWorkflow wf = start(request(threeRings(APPROVAL), "1.4.2", "dave"));
    awaitStatus(wf, s -> s.phase() == Phase.SOAKING && s.currentRing() == 0, "soaking ring internal");
    env.sleep(Duration.ofMinutes(20));
    wf.pause(new OperatorAction("sre-on-call", "rest", null));
    awaitStatus(wf, s -> s.state() == State.PAUSED, "paused");
    env.sleep(Duration.ofHours(3));
    assertThat(wf.status().state()).isEqualTo(State.PAUSED);
    assertThat(activities.changes()).doesNotContain("EnableRing canary tenants [acme-internal] + 5%");

    wf.resume(new OperatorAction("sre-on-call", "rest", null));
    RolloutStatus soaking = awaitStatus(wf, s -> s.state() == State.RUNNING && s.phase() == Phase.SOAKING, "soaking again");
    // The remaining ~40 minutes of the soak, not a fresh hour and not nothing.
    assertThat(Duration.between(java.time.Instant.ofEpochMilli(env.currentTimeMillis()), soaking.rings().get(0).soakEndsAt()))
        .isBetween(Duration.ofMinutes(35), Duration.ofMinutes(41));
    awaitPhase(wf, Phase.AWAITING_APPROVAL);
    wf.approve(Decision.of("alice", null, "rest"));
    assertThat(result(wf).state()).isEqualTo(State.SUCCEEDED);
  }

  @Test
  void promoteEndsTheSoakEarly() {
    RolloutWorkflow wf = start(request(threeRings(APPROVAL).replaceFirst("soak: 1h", "soak: 24h"), "1.4.2", "dave"));
    awaitStatus(wf, s -> s.phase() == Phase.SOAKING && s.currentRing() == 0, "soaking ring internal");
    long started = env.currentTimeMillis();
    wf.promote(new OperatorAction("release-manager", "rest", "verified by hand"));
    awaitStatus(wf, s -> s.currentRing() == 1, "ring canary");
    assertThat(Duration.ofMillis(env.currentTimeMillis() - started)).isLessThan(Duration.ofHours(1));
    assertThat(wf.status().rings().get(0).verdict()).contains("promoted by release-manager");
  }

  @Test
  void promoteWithGatesRunsThemOnceAndRefusesWhenTheyDoNotPass() {
    activities.blockingSoaks.set(2);
    activities.measurements.add(Outcome.FAILED);
    RolloutWorkflow wf = start(request(WITH_ANALYSIS, "1.4.2", "dave"));
    awaitRealTime(wf, s -> s.phase() == Phase.SOAKING, "soaking ring canary");
    wf.promote(new OperatorAction("release-manager", "rest", null));
    RolloutStatus refused = awaitRealTime(wf, s -> String.valueOf(s.rings().get(0).verdict()).contains("promotion by release-manager refused"), "promotion refused");
    assertThat(refused.rings().get(0).verdict()).contains("FAILED: error-rate canary=0.03100");
    assertThat(refused.phase()).isEqualTo(Phase.SOAKING);
    assertThat(refused.currentRing()).isEqualTo(0);

    awaitRealTime(wf, s -> s.phase() == Phase.SOAKING, "soaking ring canary again");
    wf.promote(new OperatorAction("release-manager", "rest", null));
    assertThat(result(wf).state()).isEqualTo(State.SUCCEEDED);
    assertThat(activities.calls.stream().filter(c -> c.equals("MeasureGates canary")).count()).isEqualTo(2);
    assertThat(wf.status().rings().get(0).verdict()).startsWith("promoted by release-manager; gates ran once: PASSED");
  }

  @Test
  void aFailedGateMidSoakRollsBackBeforeTheSoakEnds() {
    activities.soakVerdicts.add(Outcome.FAILED);
    RolloutResult r = result(start(request(WITH_ANALYSIS, "1.4.2", "dave")));

    assertThat(r.state()).isEqualTo(State.ROLLED_BACK);
    assertThat(r.status().rollbackReason()).contains("gates FAILED in ring canary")
        .contains("error-rate canary=0.03100 control=0.004000 samples=500 failIf canary > control + 0.001 → FAILED");
    // Workflow time, as the rollout recorded it: the test server may skip its clock once the workflow is done.
    assertThat(Duration.between(r.status().startedAt(), r.status().updatedAt())).isLessThan(Duration.ofHours(2));
    assertThat(activities.changes()).containsExactly(
        "DeployVersion 1.4.2", "EnableRing canary 5%", "KillSwitch", "RestoreFlag did not exist", "RedeployPrevious 1.4.1");
  }

  /** Ringmaster's soak watcher pulls the kill switch at the FAILED verdict: the rollback records it, pulls nothing again. */
  @Test
  void aKillSwitchPulledAtTheFailedVerdictIsRecordedNotPulledAgain() {
    activities.soakPullsKillSwitch = true;
    activities.soakVerdicts.add(Outcome.FAILED);
    RolloutRequest req = request(WITH_ANALYSIS, "1.4.2", "dave");
    RolloutResult r = result(start(req));

    assertThat(r.state()).isEqualTo(State.ROLLED_BACK);
    assertThat(activities.changes()).containsExactly(
        "DeployVersion 1.4.2", "EnableRing canary 5%", "KillSwitch", "RestoreFlag did not exist", "RedeployPrevious 1.4.1");
    assertThat(r.status().rollbackSteps().get(0)).contains(" off for everyone at the FAILED verdict, by the soak's watcher (");
    List<String> markers = client.fetchHistory(req.rolloutId()).getEvents().stream()
        .filter(e -> e.getEventType() == io.temporal.api.enums.v1.EventType.EVENT_TYPE_MARKER_RECORDED)
        .map(e -> e.getMarkerRecordedEventAttributes().getDetailsMap().getOrDefault("type", io.temporal.api.common.v1.Payloads.getDefaultInstance()).toString())
        .toList();
    assertThat(markers).as("local activities in the history").anyMatch(t -> t.contains("EnableRing"));
    assertThat(markers).as("no kill switch of the rollback's own").noneMatch(t -> t.contains("KillSwitch"));
  }

  /** If the watcher's kill switch fails, the verdict goes without it and the rollback's own kill switch pulls it. */
  @Test
  void whenTheWatchersKillSwitchFailsTheRollbackPullsIt() {
    activities.soakPullsKillSwitch = true;
    activities.killSwitchFailures.set(1);
    activities.soakVerdicts.add(Outcome.FAILED);
    RolloutResult r = result(start(request(WITH_ANALYSIS, "1.4.2", "dave")));

    assertThat(r.state()).isEqualTo(State.ROLLED_BACK);
    assertThat(activities.changes()).containsExactly(
        "DeployVersion 1.4.2", "EnableRing canary 5%", "KillSwitch", "KillSwitch", "RestoreFlag did not exist", "RedeployPrevious 1.4.1");
    assertThat(r.status().rollbackSteps().get(0)).contains(" off for everyone (").contains(" ms after the request)");
  }

  @Test
  void inconclusiveGatesPauseForAHumanAndResumeKeepsSoaking() {
    activities.soakVerdicts.add(Outcome.INCONCLUSIVE);
    RolloutWorkflow wf = start(request(WITH_ANALYSIS, "1.4.2", "dave"));
    RolloutStatus paused = awaitStatus(wf, s -> s.state() == State.PAUSED, "paused");
    assertThat(paused.message()).contains("gates INCONCLUSIVE in ring canary");
    env.sleep(Duration.ofHours(6));
    assertThat(activities.changes()).doesNotContain("EnableRing everyone 100%").doesNotContain("KillSwitch");

    wf.resume(new OperatorAction("sre-on-call", "rest", "traffic is back"));
    assertThat(result(wf).state()).isEqualTo(State.SUCCEEDED);
    assertThat(activities.calls.stream().filter(c -> c.equals("WatchSoak canary")).count()).isEqualTo(2);
  }

  @Test
  void aCompensationThatKeepsFailingLeavesTheRolloutFailedUntilAnOperatorRetries() {
    activities.killSwitchFailures.set(1);
    RolloutWorkflow wf = start(request(threeRings(APPROVAL), "1.4.2", "dave"));
    awaitPhase(wf, Phase.AWAITING_APPROVAL);
    wf.abort(new OperatorAction("sre-on-call", "rest", "bad release"));

    RolloutStatus failed = awaitStatus(wf, s -> s.state() == State.FAILED, "FAILED");
    assertThat(failed.phase()).isEqualTo(Phase.FAILED);
    assertThat(failed.message()).contains("KillSwitch failed: flag provider refused the kill switch").contains("retry");
    env.sleep(Duration.ofHours(2));
    assertThat(wf.status().state()).isEqualTo(State.FAILED);
    assertThat(activities.changes()).doesNotContain("RedeployPrevious 1.4.1");

    wf.retry(new OperatorAction("sre-on-call", "rest", "token rotated"));
    RolloutResult r = result(wf);
    assertThat(r.state()).isEqualTo(State.ROLLED_BACK);
    assertThat(activities.changes()).endsWith("KillSwitch", "KillSwitch", "RestoreFlag did not exist", "RedeployPrevious 1.4.1");
  }

  @Test
  void approvalsAreRefusedForNonApproversTheTriggererAndDuplicates() {
    RolloutWorkflow wf = start(request(threeRings("{ approvers: [alice, bob, dave, S0614TZR7], quorum: 2, timeout: 4h }"), "1.4.2", "dave"));
    assertThat(refusal(() -> wf.approve(Decision.of("alice", null, "rest")))).startsWith(ApprovalGate.NOTHING_AWAITING);
    awaitPhase(wf, Phase.AWAITING_APPROVAL);

    assertThat(refusal(() -> wf.approve(Decision.of("mallory", null, "rest"))))
        .isEqualTo(ApprovalGate.NOT_AN_APPROVER + ": mallory is not an approver for 'canary'; approvers: alice, bob, dave, S0614TZR7");
    assertThat(refusal(() -> wf.approve(Decision.of("dave", null, "rest")))).startsWith(ApprovalGate.SELF_APPROVAL + ": dave triggered this rollout");
    assertThat(refusal(() -> wf.approve(new Decision("alice", null, "slack", List.of(), "internal")))).startsWith(ApprovalGate.STALE);

    assertThat(wf.approve(Decision.of("alice", null, "rest")).message()).isEqualTo("1 more approval(s) needed");
    assertThat(refusal(() -> wf.approve(Decision.of("alice", "again", "slack")))).startsWith(ApprovalGate.DUPLICATE);
    env.sleep(Duration.ofMinutes(5));
    assertThat(wf.status().phase()).isEqualTo(Phase.AWAITING_APPROVAL);

    // A member of the listed Slack user group counts as the second, distinct approver.
    ApprovalReceipt second = wf.approve(new Decision("U999GROUP", null, "slack", List.of("S0614TZR7"), "canary"));
    assertThat(second.message()).isEqualTo("quorum reached; the rollout continues");
    assertThat(result(wf).state()).isEqualTo(State.SUCCEEDED);
    assertThat(wf.status().approvals()).extracting(ApprovalRecord::by).containsExactly("alice", "U999GROUP");
  }

  @Test
  void aRolloutWithNoSlackChannelLogsItsNotificationsWithNoActivityAndOneWithAChannelSendsThemToTheNotifiers() {
    ListAppender<ILoggingEvent> logged = new ListAppender<>();
    Logger rollouts = (Logger) LoggerFactory.getLogger("ringmaster.rollouts");
    logged.start();
    rollouts.addAppender(logged);
    try {
      RolloutWorkflow quiet = start(request(threeRings(APPROVAL), "1.4.2", "dave"));
      awaitPhase(quiet, Phase.AWAITING_APPROVAL);
      quiet.approve(Decision.of("alice", null, "rest"));
      assertThat(result(quiet).state()).isEqualTo(State.SUCCEEDED);

      assertThat(scheduledActivities("rollout-checkout-1.4.2")).doesNotContain("Notify").contains("DeployVersion");
      assertThat(activities.notifications).isEmpty();
      assertThat(logged.list).extracting(ILoggingEvent::getFormattedMessage)
          .anyMatch(line -> line.startsWith("[rollout-checkout-1.4.2] STARTED checkout@1.4.2: rollout of 1.4.2 started by dave"))
          .anyMatch(line -> line.equals("[rollout-checkout-1.4.2] APPROVAL_DECIDED checkout@1.4.2: 'canary' approved by alice"))
          .anyMatch(line -> line.startsWith("[rollout-checkout-1.4.2] SUCCEEDED checkout@1.4.2: "));

      String withChannel = DefinitionBuilder.checkout().ring("canary", "{ percent: 5 }", "1h", APPROVAL).ring("everyone", "{ percent: 100 }", "1h")
          .slackChannel("C0RELEASES").yaml();
      RolloutWorkflow announced = start(request(withChannel, "1.4.3", "dave"));
      awaitPhase(announced, Phase.AWAITING_APPROVAL);
      announced.approve(Decision.of("alice", null, "rest"));
      assertThat(result(announced).state()).isEqualTo(State.SUCCEEDED);

      assertThat(scheduledActivities("rollout-checkout-1.4.3")).contains("Notify");
      assertThat(activities.notifications).extracting(Notification::kind).contains(Kind.STARTED, Kind.APPROVAL_REQUESTED,
          Kind.APPROVAL_DECIDED, Kind.RING_ENABLED, Kind.SUCCEEDED);
      assertThat(activities.notifications).extracting(Notification::slackChannel).containsOnly("C0RELEASES");
    } finally {
      rollouts.detachAppender(logged);
    }
  }

  private List<String> scheduledActivities(String workflowId) {
    return client.fetchHistory(workflowId).getEvents().stream().filter(HistoryEvent::hasActivityTaskScheduledEventAttributes)
        .map(e -> e.getActivityTaskScheduledEventAttributes().getActivityType().getName()).toList();
  }
}
