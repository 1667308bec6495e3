package dev.ringmaster.pipeline;

import dev.ringmaster.notify.Notification.Kind;
import io.temporal.failure.ActivityFailure;
import io.temporal.workflow.Workflow;

/**
 * What operators asked for (abort, pause, resume, promote, retry) and how the rollout honours it: at checkpoints
 * between steps, inside a soak, and when a compensation or the contract failed and waits for a retry. Signals may
 * arrive before the rollout started; until {@link #bind} they are held (abort, pause) or ignored (the rest).
 */
final class OperatorRequests {
  OperatorAction abortedBy;
  OperatorAction pauseBy;
  OperatorAction promoteBy;
  private OperatorAction resumeBy;
  private OperatorAction retryBy;
  private RolloutState st;
  private Notifications notes;
  private String rolloutId;

  void bind(RolloutState state, Notifications notifications, String id) {
    this.st = state;
    this.notes = notifications;
    this.rolloutId = id;
  }

  void abort(OperatorAction a) {
    if (abortedBy == null) abortedBy = a;
  }

  void pause(OperatorAction a) {
    if (pauseBy == null) pauseBy = a;
  }

  void resume(OperatorAction a) {
    if (st != null && st.state == State.PAUSED) resumeBy = a;
  }

  void promote(OperatorAction a) {
    if (st != null && st.phase == Phase.SOAKING) promoteBy = a;
  }

  void retry(OperatorAction a) {
    if (st != null && st.state == State.FAILED) retryBy = a;
  }

  /** Between forward steps: roll back on an abort, hold on a pause. */
  void checkpoint() {
    checkAbort();
    if (pauseBy != null) holdPaused("paused by " + pauseBy.who());
  }

  void checkAbort() {
    if (abortedBy != null && !st.pastPointOfNoReturn) {
      throw new RollbackRequested("aborted by " + abortedBy.who() + (abortedBy.reason() == null ? "" : ": " + abortedBy.reason()));
    }
  }

  /** PAUSED until someone resumes (or aborts, which rolls back). */
  void holdPaused(String why) {
    st.state(State.PAUSED, why);
    notes.send(Kind.PAUSED, why);
    Workflow.await(() -> resumeBy != null || abortedBy != null);
    checkAbort();
    st.state(State.RUNNING, "resumed by " + resumeBy.by());
    resumeBy = null;
    pauseBy = null;
  }

  OperatorAction takePromotion() {
    OperatorAction p = promoteBy;
    promoteBy = null;
    return p;
  }

  /** Runs {@code step}; when it fails after its retries, the rollout is FAILED and waits for an operator's retry. */
  void retryUntilDone(String what, Runnable step) {
    Phase phase = st.phase;
    while (true) {
      try {
        step.run();
        return;
      } catch (ActivityFailure f) {
        String msg = what + " failed: " + Steps.describe(f) + ". Fix the cause, then send the retry signal (POST /api/rollouts/" + rolloutId + "/retry)";
        st.state(State.FAILED, msg);
        st.phase(Phase.FAILED, msg);
        notes.send(Kind.COMPENSATION_FAILED, msg);
        Workflow.await(() -> retryBy != null);
        st.state(State.RUNNING, what + " retried by " + retryBy.by());
        st.phase(phase, st.message);
        retryBy = null;
      }
    }
  }
}
