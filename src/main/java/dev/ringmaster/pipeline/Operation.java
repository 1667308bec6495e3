package dev.ringmaster.pipeline;

/**
 * The operator signals and when each applies, in one place for every entry point (REST, Slack, CLI, dashboard). The
 * workflow's own handlers are lenient (a late signal is ignored); callers are told at once why one does not apply.
 */
public enum Operation {
  ABORT,
  PAUSE,
  RESUME,
  PROMOTE,
  RETRY;

  /** Why this operation does not apply to a rollout that is in {@code s}; null when it does. */
  public String whyNot(RolloutStatus s) {
    if (s.state().isFinal()) return "it already ended " + s.state();
    return switch (this) {
      case ABORT -> s.pastPointOfNoReturn() ? "it passed the point of no return (contract cleanup)"
          : s.phase() == Phase.ROLLING_BACK || s.phase() == Phase.FAILED ? "it is already rolling back" : null;
      case PAUSE -> s.state() != State.RUNNING ? "it is " + s.state()
          : s.phase() == Phase.ROLLING_BACK || s.phase() == Phase.CONTRACTING ? "it is " + s.phase() : null;
      case RESUME -> s.state() != State.PAUSED ? "it is not paused (" + s.state() + ")"
          : s.phase() == Phase.AWAITING_APPROVAL ? "it is holding for an approval decision: approve or reject it" : null;
      case PROMOTE -> s.phase() != Phase.SOAKING || s.state() != State.RUNNING
          ? "promote ends a soak, and it is " + s.phase() + (s.state() == State.RUNNING ? "" : " (" + s.state() + ")") : null;
      case RETRY -> s.state() != State.FAILED ? "only a FAILED rollout can be retried; it is " + s.state() : null;
    };
  }

  /** Sends this operation's signal. */
  public void send(RolloutWorkflow rollout, OperatorAction action) {
    switch (this) {
      case ABORT -> rollout.abort(action);
      case PAUSE -> rollout.pause(action);
      case RESUME -> rollout.resume(action);
      case PROMOTE -> rollout.promote(action);
      case RETRY -> rollout.retry(action);
    }
  }
}
