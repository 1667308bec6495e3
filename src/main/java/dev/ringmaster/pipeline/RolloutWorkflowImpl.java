package dev.ringmaster.pipeline;

import dev.ringmaster.TaskQueues;
import dev.ringmaster.definition.Audience;
import dev.ringmaster.definition.RolloutDefinition.Analysis;
import dev.ringmaster.definition.RolloutDefinition.Metric;
import dev.ringmaster.definition.RolloutDefinition.Ring;
import dev.ringmaster.definition.RolloutDefinition.Spec;
import dev.ringmaster.notify.Notification.Kind;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.spring.boot.WorkflowImpl;
import io.temporal.workflow.Saga;
import io.temporal.workflow.Workflow;

/**
 * The rollout, as DESIGN.md draws it: expand → deploy → for each ring: enable, soak, (approval) → contract. A small,
 * deterministic interpreter over the definition: every I/O is an activity ({@link Steps}), the soak and the approval
 * wait are {@link Soak} and {@link ApprovalWait}, operators' signals are {@link OperatorRequests}, the status is
 * {@link RolloutState}. Each forward step registers its compensation with the {@link Saga} before it runs, so a
 * rollback undoes newest first: kill switch, the flag as it was before, previous version, then (with {@code undo}) the
 * schema.
 */
@WorkflowImpl(taskQueues = TaskQueues.ROLLOUTS)
public class RolloutWorkflowImpl implements RolloutWorkflow {
  private final OperatorRequests operator = new OperatorRequests();
  private RolloutRequest request;
  private RolloutState st;
  private Steps steps;
  private Notifications notes;
  private ApprovalWait approvals;
  private Soak soak;

  @Override
  public RolloutResult run(RolloutRequest request) {
    start(request);
    Spec spec = request.definition().spec();
    Saga saga = new Saga(new Saga.Options.Builder().setParallelCompensation(false).setContinueWithError(false).build());
    try {
      notes.send(Kind.STARTED, "rollout of " + request.version() + " started by " + request.triggeredBy() + (request.triggeredVia() == null ? "" : " via " + request.triggeredVia()));
      steps.preflight();
      if (spec.migration() != null) expand(saga);
      deploy(saga);
      Audience cumulative = Audience.NOBODY;
      for (int i = 0; i < spec.rings().size(); i++) {
        cumulative = cumulative.union(spec.rings().get(i).audience());
        ring(i, spec.rings().get(i), cumulative, saga);
      }
      if (spec.contract() != null && spec.contract().approval() != null) approvals.await("contract", spec.contract().approval());
      operator.checkpoint();
      contract();
    } catch (RollbackRequested r) {
      rollback(saga, r.getMessage());
    } catch (ActivityFailure f) {
      rollback(saga, Steps.describe(f));
    } catch (CanceledFailure c) {
      // Cancelled from the Temporal UI or by a cancelled domain lease: undo in a scope the cancellation cannot reach.
      Workflow.newDetachedCancellationScope(() -> rollback(saga, "workflow cancelled")).run();
    }
    // Detached: after a cancellation the root scope would refuse to wait.
    Workflow.newDetachedCancellationScope(notes::flush).run();
    return new RolloutResult(request.rolloutId(), st.state, st.message, st.snapshot());
  }

  private void start(RolloutRequest r) {
    request = r;
    st = new RolloutState(r);
    steps = new Steps(r, st);
    notes = new Notifications(r);
    operator.bind(st, notes, r.rolloutId());
    approvals = new ApprovalWait(r, st, notes, operator);
    soak = new Soak(r, st, steps, operator);
  }

  private void expand(Saga saga) {
    st.phase(Phase.EXPANDING, "applying expand migration " + request.definition().spec().migration().expand());
    saga.addCompensation(steps::undoExpand);
    steps.expand();
    operator.checkpoint();
  }

  private void deploy(Saga saga) {
    st.phase(Phase.DEPLOYING, "deploying " + request.version() + " with its flag off");
    String running = steps.captureCurrentVersion();
    String previous = rollbackTarget(running);
    st.previousVersion = previous.isEmpty() ? null : previous;
    saga.addCompensation(steps::redeployPrevious, previous);
    steps.deploy(running);
    operator.checkpoint();
  }

  /**
   * What a rollback redeploys: the last version that went through every ring, not whatever the target runs (which
   * may be a version that never passed its gates). When the two differ, the status says so and which one was chosen.
   */
  private String rollbackTarget(String running) {
    RolloutRequest.KnownGood good = request.lastSucceeded();
    if (good == null || good.version().equals(running) || good.version().equals(request.version())) return running;
    st.previousVersionWhy = "the deploy target runs " + (running.isEmpty() ? "nothing" : running) + " but the last rollout of this service"
        + " that succeeded is " + good.rolloutId() + " (" + good.version() + "): a rollback redeploys " + good.version();
    st.note(st.previousVersionWhy);
    return good.version();
  }

  private void ring(int i, Ring ring, Audience cumulative, Saga saga) {
    st.ring(i, RingState.ENABLING);
    st.phase(Phase.ENABLING, "ring " + ring.name() + ": enabling the flag for " + cumulative.describe());
    if (i == 0) {
      steps.captureFlagBefore();
      saga.addCompensation(steps::flagOffEverywhere);
    }
    steps.enableRing(ring.name(), cumulative);
    notes.send(Kind.RING_ENABLED, "ring " + ring.name() + " enabled: " + cumulative.describe());
    st.ring(i, RingState.SOAKING);
    Analysis analysis = request.definition().spec().analysis();
    soak.run(i, ring, analysis, cumulative.reachesEveryone() && analysis != null
        ? st.controlBaseline(i, analysis.metrics().stream().map(Metric::name).toList()) : null);
    if (ring.approval() != null) {
      st.ring(i, RingState.AWAITING_APPROVAL);
      approvals.await(ring.name(), ring.approval());
    }
    st.ring(i, RingState.DONE);
    operator.checkpoint();
  }

  /** Past this point nothing is compensated: the old schema is dropped and the flag retired. Failures wait for retry. */
  private void contract() {
    st.pastPointOfNoReturn = true;
    st.phase(Phase.CONTRACTING, "point of no return passed at " + RolloutState.now() + ": contract cleanup, no compensation from here");
    operator.retryUntilDone("contract cleanup", steps::contract);
    st.state(State.SUCCEEDED, request.version() + " is everyone's; contract cleanup done");
    st.phase(Phase.SUCCEEDED, st.message);
    notes.send(Kind.SUCCEEDED, st.message);
  }

  private void rollback(Saga saga, String reason) {
    approvals.clear();
    st.rollbackReason = reason;
    if (st.rollbackStartedAt == null) st.rollbackStartedAt = RolloutState.now();
    st.state(State.RUNNING, "rolling back: " + reason);
    st.phase(Phase.ROLLING_BACK, "rolling back: " + reason);
    notes.send(Kind.ROLLBACK_STARTED, reason);
    // Saga#compensate re-runs every compensation, newest first, on each call: after a retry the kill switch runs
    // again first, which is what we want (compensations are idempotent).
    operator.retryUntilDone("rollback", saga::compensate);
    st.ringsRolledBack();
    st.state(State.ROLLED_BACK, "rolled back: " + reason);
    st.phase(Phase.ROLLED_BACK, st.message);
    notes.send(Kind.ROLLED_BACK, st.message);
  }

  // ---- signals, updates, query: the rules live in ApprovalWait/ApprovalGate and OperatorRequests ----

  @Override
  public void validateApprove(Decision d) {
    validate(d, true);
  }

  @Override
  public ApprovalReceipt approve(Decision d) {
    return approvals.approve(d);
  }

  @Override
  public void validateReject(Decision d) {
    validate(d, false);
  }

  @Override
  public ApprovalReceipt reject(Decision d) {
    return approvals.reject(d);
  }

  private void validate(Decision d, boolean approving) {
    if (approvals == null) ApprovalGate.check(null, d, null, approving, "starting");
    else approvals.validate(d, approving, st.phase + (st.state == State.RUNNING ? "" : " (" + st.state + ")"));
  }

  @Override
  public void abort(OperatorAction action) {
    operator.abort(action);
  }

  @Override
  public void pause(OperatorAction action) {
    operator.pause(action);
  }

  @Override
  public void resume(OperatorAction action) {
    operator.resume(action);
  }

  @Override
  public void promote(OperatorAction action) {
    operator.promote(action);
  }

  @Override
  public void retry(OperatorAction action) {
    operator.retry(action);
  }

  @Override
  public RolloutStatus status() {
    return st.snapshot();
  }
}
