package dev.ringmaster.pipeline;

import dev.ringmaster.analysis.Measurement;
import dev.ringmaster.analysis.Outcome;
import dev.ringmaster.analysis.SoakRequest;
import dev.ringmaster.analysis.SoakVerdict;
import dev.ringmaster.definition.Audience;
import dev.ringmaster.definition.Durations;
import dev.ringmaster.definition.RolloutDefinition.Analysis;
import dev.ringmaster.definition.RolloutDefinition.Approval;
import dev.ringmaster.definition.RolloutDefinition.OnTimeout;
import dev.ringmaster.definition.RolloutDefinition.Ring;
import dev.ringmaster.definition.RolloutDefinition.Spec;
import dev.ringmaster.notify.Notification.Kind;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.spring.boot.WorkflowImpl;
import io.temporal.workflow.Async;
import io.temporal.workflow.Functions;
import io.temporal.workflow.CancellationScope;
import io.temporal.workflow.Promise;
import io.temporal.workflow.Saga;
import io.temporal.workflow.TimerOptions;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.time.Instant;

/**
 * The rollout: a small, deterministic interpreter over the definition. All I/O is in activities ({@link Steps});
 * status bookkeeping is in {@link RolloutState}; approval rules in {@link ApprovalGate}. Forward steps register
 * their compensation with a {@link Saga} before they run, so a rollback undoes newest first: the kill switch, then
 * the ring rules, then the previous version, then (with {@code undo}) the expanded schema.
 */
@WorkflowImpl(taskQueues = TaskQueues.ROLLOUTS)
public class RolloutWorkflowImpl implements RolloutWorkflow {

  /** Leaves the forward path for the rollback; thrown and caught inside {@link #run}, never escapes it. */
  private static final class RollbackRequested extends RuntimeException {
    RollbackRequested(String reason) {
      super(reason, null, false, false);
    }
  }

  private RolloutRequest request;
  private RolloutState st;
  private Steps steps;
  private ApprovalGate gate;
  private OperatorAction abortedBy;
  private OperatorAction pauseBy;
  private OperatorAction promoteBy;
  private OperatorAction resumeBy;
  private OperatorAction retryBy;
  private Promise<SoakVerdict> soak;

  @Override
  public RolloutResult run(RolloutRequest request) {
    this.request = request;
    this.st = new RolloutState(request);
    this.steps = new Steps(request, st);
    Saga saga = new Saga(new Saga.Options.Builder().setParallelCompensation(false).setContinueWithError(false).build());
    try {
      forward(request.definition().spec(), saga);
    } catch (RollbackRequested r) {
      rollback(saga, r.getMessage());
    } catch (ActivityFailure f) {
      rollback(saga, Steps.describe(f));
    } catch (CanceledFailure c) {
      // Cancelled from the Temporal UI or by a cancelled domain lease: undo in a scope the cancellation cannot reach.
      Workflow.newDetachedCancellationScope(() -> rollback(saga, "workflow cancelled")).run();
    }
    // Detached: after a cancellation the root scope would refuse to wait.
    Workflow.newDetachedCancellationScope(steps::flushNotifications).run();
    return new RolloutResult(request.rolloutId(), st.state, st.message, st.snapshot());
  }

  private void forward(Spec spec, Saga saga) {
    steps.notify(Kind.STARTED, "rollout of " + request.version() + " started by " + request.triggeredBy());
    steps.preflight();
    if (spec.migration() != null) {
      st.phase(Phase.EXPANDING, "applying expand migration " + spec.migration().expand());
      saga.addCompensation(steps::undoExpand);
      steps.expand();
      checkpoint();
    }
    st.phase(Phase.DEPLOYING, "deploying " + request.version() + " with its flag off");
    String previous = steps.captureCurrentVersion();
    st.previousVersion = previous.isEmpty() ? null : previous;
    saga.addCompensation(steps::redeployPrevious, previous);
    steps.deploy(previous);
    checkpoint();

    Audience cumulative = Audience.NOBODY;
    for (int i = 0; i < spec.rings().size(); i++) {
      Ring ring = spec.rings().get(i);
      cumulative = cumulative.union(ring.audience());
      st.ring(i, "ENABLING");
      st.phase(Phase.ENABLING, "ring " + ring.name() + ": enabling the flag for " + cumulative.describe());
      if (i == 0) saga.addCompensation(steps::flagOffEverywhere);
      steps.enableRing(ring.name(), cumulative);
      steps.notify(Kind.RING_ENABLED, "ring " + ring.name() + " enabled: " + cumulative.describe());
      st.ring(i, "SOAKING");
      soak(i, ring, spec.analysis());
      if (ring.approval() != null) {
        st.ring(i, "AWAITING_APPROVAL");
        awaitApproval(ring.name(), ring.approval());
      }
      st.ring(i, "DONE");
      checkpoint();
    }
    if (spec.contract() != null && spec.contract().approval() != null) awaitApproval("contract", spec.contract().approval());
    checkpoint();
    contract();
  }

  /** Soak a ring: a plain timer, or background analysis in one heartbeating activity; signals can cut it short. */
  private void soak(int i, Ring ring, Analysis analysis) {
    Instant endsAt = now().plus(ring.soak());
    while (true) {
      st.soak(i, endsAt);
      st.phase(Phase.SOAKING, "ring " + ring.name() + " soaking until " + endsAt + (analysis == null ? "" : " with gates every " + Durations.format(analysis.interval())));
      Duration left = positive(Duration.between(now(), endsAt));
      final Instant end = endsAt;
      CancellationScope scope = Workflow.newCancellationScope(() -> soak = analysis == null
          ? Workflow.newTimer(left, TimerOptions.newBuilder().setSummary("soak ring " + ring.name() + " for " + Durations.format(left)).build()).thenApply(v -> null)
          : Async.function(steps.soakWatcher(ring.name(), left, analysis)::watchSoak, new SoakRequest(request.rolloutId(), ring.name(), analysis, end)));
      scope.run();
      Workflow.await(() -> soak.isCompleted() || abortedBy != null || pauseBy != null || promoteBy != null);
      if (soak.isCompleted()) {
        SoakVerdict v = soak.get();
        if (v == null) {
          st.soakResult(i, null, "soaked " + Durations.format(ring.soak()));
          return;
        }
        st.soakResult(i, v.summary(), v.outcome() + ": " + v.reason());
        if (v.outcome() == Outcome.PASSED) return;
        String detail = "gates " + v.outcome() + " in ring " + ring.name() + ": " + v.reason() + " — " + v.deciding().describe();
        if (v.outcome() == Outcome.FAILED) throw new RollbackRequested(detail);
        holdPaused(detail + "; resume to keep soaking, or abort");
        endsAt = later(endsAt, now().plus(analysis.interval()));
        continue;
      }
      scope.cancel();
      soak.exceptionally(cancelled -> null); // the cancelled soak's failure is expected: consume it (no "never accessed" warning)
      checkAbort();
      if (pauseBy != null) {
        Duration remaining = positive(Duration.between(now(), endsAt));
        holdPaused("paused by " + pauseBy.by() + " while soaking ring " + ring.name());
        endsAt = now().plus(analysis == null ? remaining : later(remaining, analysis.interval()));
        continue;
      }
      OperatorAction promotion = promoteBy;
      promoteBy = null;
      if (analysis == null) {
        st.soakResult(i, null, "promoted by " + promotion.by() + " before the soak ended");
        return;
      }
      Measurement m = steps.measureGates(ring.name(), analysis);
      if (m.outcome() == Outcome.PASSED) {
        st.soakResult(i, null, "promoted by " + promotion.by() + "; gates ran once: " + m.describe());
        return;
      }
      st.soakResult(i, null, "promotion by " + promotion.by() + " refused, the soak goes on: " + m.describe());
    }
  }

  private void awaitApproval(String gateName, Approval approval) {
    gate = new ApprovalGate(gateName, approval);
    st.awaiting = gateName;
    st.awaitingApprovers = approval.approvers();
    Instant deadline = now().plus(approval.timeout());
    String ask = "'" + gateName + "' awaits approval from " + String.join(", ", approval.approvers()) + " (quorum " + approval.quorum() + ") until " + deadline;
    st.phase(Phase.AWAITING_APPROVAL, ask);
    steps.notify(Kind.APPROVAL_REQUESTED, ask, approvalDetails(gateName, approval, deadline));
    boolean inTime = awaitWithDeadline(approval.timeout(), "approval deadline of '" + gateName + "' (onTimeout: "
        + approval.onTimeout().name().toLowerCase() + ")", () -> gate.decided() || abortedBy != null);
    if (!inTime) {
      String timedOut = "approval of '" + gateName + "' timed out after " + Durations.format(approval.timeout());
      st.approvals.add(new ApprovalRecord(gateName, "ringmaster", "TIMED_OUT", "timer", "onTimeout: " + approval.onTimeout(), now()));
      if (approval.onTimeout() == OnTimeout.ROLLBACK) throw new RollbackRequested(timedOut + " (onTimeout: rollback)");
      st.state(State.PAUSED, timedOut + "; holding (onTimeout: hold) until approved, rejected or aborted");
      steps.notify(Kind.PAUSED, st.message);
      Workflow.await(() -> gate.decided() || abortedBy != null);
      st.state(State.RUNNING, "decision received after the timeout");
    }
    checkAbort();
    if (gate.rejection != null) {
      Decision r = gate.rejection;
      throw new RollbackRequested("'" + gateName + "' rejected by " + r.by() + (r.comment() == null ? "" : ": " + r.comment()));
    }
    steps.notify(Kind.APPROVAL_DECIDED, "'" + gateName + "' approved by " + String.join(", ", gate.approvedBy));
    gate = null;
    st.awaiting = null;
  }

  /** What an approver needs to decide: where the rollout stands, what comes next, who asked, until when. */
  private java.util.Map<String, String> approvalDetails(String gateName, Approval approval, Instant deadline) {
    var rings = request.definition().spec().rings();
    int at = -1;
    for (int i = 0; i < rings.size(); i++) if (rings.get(i).name().equals(gateName)) at = i;
    java.util.Map<String, String> d = new java.util.LinkedHashMap<>();
    d.put("gate", gateName);
    d.put("ringReached", at >= 0 ? gateName + " (" + st.snapshot().rings().get(at).audience() + ")" : "everyone (all rings done)");
    d.put("nextRing", at >= 0 && at + 1 < rings.size() ? rings.get(at + 1).name() : "contract cleanup (point of no return)");
    d.put("approvers", String.join(", ", approval.approvers()));
    d.put("quorum", String.valueOf(approval.quorum()));
    d.put("deadline", deadline.toString());
    d.put("triggeredBy", request.triggeredBy());
    String soak = at >= 0 ? st.snapshot().rings().get(at).verdict() : null;
    if (soak != null) d.put("soak", soak);
    return d;
  }

  /** Past this point nothing is compensated: the old schema is dropped and the flag retired. Failures wait for retry. */
  private void contract() {
    st.pastPointOfNoReturn = true;
    st.phase(Phase.CONTRACTING, "point of no return passed at " + now() + ": contract cleanup, no compensation from here");
    retryUntilDone("contract cleanup", steps::contract);
    st.state(State.SUCCEEDED, request.version() + " is everyone's; contract cleanup done");
    st.phase(Phase.SUCCEEDED, st.message);
    steps.notify(Kind.SUCCEEDED, st.message);
  }

  private void rollback(Saga saga, String reason) {
    gate = null;
    st.awaiting = null;
    st.rollbackReason = reason;
    st.state(State.RUNNING, "rolling back: " + reason);
    st.phase(Phase.ROLLING_BACK, "rolling back: " + reason);
    steps.notify(Kind.ROLLBACK_STARTED, reason);
    // Saga#compensate re-runs every compensation, newest first, on each call: after a retry the kill switch runs
    // again first, which is what we want (compensations are idempotent).
    retryUntilDone("rollback", saga::compensate);
    st.ringsRolledBack();
    st.state(State.ROLLED_BACK, "rolled back: " + reason);
    st.phase(Phase.ROLLED_BACK, st.message);
    steps.notify(Kind.ROLLED_BACK, st.message);
  }

  /** Runs {@code step}; when it fails after its retries, the rollout is FAILED and waits for an operator's retry. */
  private void retryUntilDone(String what, Runnable step) {
    Phase phase = st.phase;
    while (true) {
      try {
        step.run();
        return;
      } catch (ActivityFailure f) {
        String msg = what + " failed: " + Steps.describe(f) + ". Fix the cause, then send the retry signal (POST /api/rollouts/" + request.rolloutId() + "/retry)";
        st.state(State.FAILED, msg);
        st.phase(Phase.FAILED, msg);
        steps.notify(Kind.COMPENSATION_FAILED, msg);
        Workflow.await(() -> retryBy != null);
        st.state(State.RUNNING, what + " retried by " + retryBy.by());
        st.phase(phase, st.message);
        retryBy = null;
      }
    }
  }

  /** Like {@code Workflow.await(timeout, condition)}, with a timer whose summary says what the deadline is for. */
  private static boolean awaitWithDeadline(Duration timeout, String summary, Functions.Func<Boolean> condition) {
    Promise<Void>[] deadline = new Promise[1];
    CancellationScope scope = Workflow.newCancellationScope(
        () -> deadline[0] = Workflow.newTimer(timeout, TimerOptions.newBuilder().setSummary(summary).build()));
    scope.run();
    Workflow.await(() -> deadline[0].isCompleted() || condition.apply());
    boolean met = condition.apply();
    if (!deadline[0].isCompleted()) {
      scope.cancel();
      deadline[0].exceptionally(cancelled -> null);
    }
    return met;
  }

  private void checkpoint() {
    checkAbort();
    if (pauseBy != null) holdPaused("paused by " + pauseBy.by());
  }

  private void holdPaused(String why) {
    st.state(State.PAUSED, why);
    steps.notify(Kind.PAUSED, why);
    Workflow.await(() -> resumeBy != null || abortedBy != null);
    checkAbort();
    st.state(State.RUNNING, "resumed by " + resumeBy.by());
    resumeBy = null;
    pauseBy = null;
  }

  private void checkAbort() {
    if (abortedBy != null && !st.pastPointOfNoReturn) {
      throw new RollbackRequested("aborted by " + abortedBy.by() + (abortedBy.reason() == null ? "" : ": " + abortedBy.reason()));
    }
  }

  // ---- signals, updates, query ----

  @Override
  public void validateApprove(Decision d) {
    ApprovalGate.check(gate, d, request == null ? null : request.triggeredBy(), true, where());
  }

  @Override
  public ApprovalReceipt approve(Decision d) {
    gate.approvedBy.add(d.by());
    st.approvals.add(new ApprovalRecord(gate.name, d.by(), "APPROVED", d.source(), d.comment(), now()));
    int n = gate.approvedBy.size();
    int quorum = gate.spec.quorum();
    st.note("'" + gate.name + "' approved by " + d.by() + " (" + n + " of " + quorum + ")");
    return new ApprovalReceipt(gate.name, "APPROVED", n, quorum, n >= quorum ? "quorum reached; the rollout continues" : (quorum - n) + " more approval(s) needed");
  }

  @Override
  public void validateReject(Decision d) {
    ApprovalGate.check(gate, d, request == null ? null : request.triggeredBy(), false, where());
  }

  @Override
  public ApprovalReceipt reject(Decision d) {
    gate.rejection = d;
    st.approvals.add(new ApprovalRecord(gate.name, d.by(), "REJECTED", d.source(), d.comment(), now()));
    return new ApprovalReceipt(gate.name, "REJECTED", gate.approvedBy.size(), gate.spec.quorum(), "rejected; the rollout rolls back");
  }

  @Override
  public void abort(OperatorAction action) {
    if (abortedBy == null) abortedBy = action;
  }

  @Override
  public void pause(OperatorAction action) {
    if (pauseBy == null) pauseBy = action;
  }

  @Override
  public void resume(OperatorAction action) {
    if (st != null && st.state == State.PAUSED) resumeBy = action;
  }

  @Override
  public void promote(OperatorAction action) {
    if (st != null && st.phase == Phase.SOAKING) promoteBy = action;
  }

  @Override
  public void retry(OperatorAction action) {
    if (st != null && st.state == State.FAILED) retryBy = action;
  }

  @Override
  public RolloutStatus status() {
    return st.snapshot();
  }

  private String where() {
    return st == null ? "starting" : st.phase + (st.state == State.RUNNING ? "" : " (" + st.state + ")");
  }

  private static Instant now() {
    return Instant.ofEpochMilli(Workflow.currentTimeMillis());
  }

  private static Duration positive(Duration d) {
    return d.isNegative() ? Duration.ZERO : d;
  }

  private static <T extends Comparable<T>> T later(T a, T b) {
    return a.compareTo(b) >= 0 ? a : b;
  }
}
