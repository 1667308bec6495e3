package dev.ringmaster.pipeline;

/** Where a rollout is, as the status query and the {@code RolloutPhase} search attribute show it. */
public enum Phase {
  STARTING,
  EXPANDING,
  DEPLOYING,
  ENABLING,
  SOAKING,
  AWAITING_APPROVAL,
  CONTRACTING,
  SUCCEEDED,
  ROLLING_BACK,
  ROLLED_BACK,
  FAILED
}
