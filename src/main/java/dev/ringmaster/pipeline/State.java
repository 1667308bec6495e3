package dev.ringmaster.pipeline;

/**
 * The rollout's overall state. {@code PAUSED} waits for a human ({@code resume}, or a decision when an approval
 * timed out with {@code onTimeout: hold}); {@code FAILED} means a compensation or the contract step could not
 * complete and the workflow waits for an operator's {@code retry} signal.
 */
public enum State {
  RUNNING,
  PAUSED,
  SUCCEEDED,
  ROLLED_BACK,
  FAILED;

  public boolean isFinal() {
    return this == SUCCEEDED || this == ROLLED_BACK;
  }
}
