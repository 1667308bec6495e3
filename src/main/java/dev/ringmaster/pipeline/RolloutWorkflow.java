package dev.ringmaster.pipeline;

import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.SignalMethod;
import io.temporal.workflow.UpdateMethod;
import io.temporal.workflow.UpdateValidatorMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/** One release of one service, from schema expansion to contract cleanup. */
@WorkflowInterface
public interface RolloutWorkflow {

  @WorkflowMethod(name = "Rollout")
  RolloutResult run(RolloutRequest request);

  /** Approve what is awaiting approval. Refused by the validator (nothing recorded) when the caller may not. */
  @UpdateMethod
  ApprovalReceipt approve(Decision decision);

  @UpdateValidatorMethod(updateName = "approve")
  void validateApprove(Decision decision);

  @UpdateMethod
  ApprovalReceipt reject(Decision decision);

  @UpdateValidatorMethod(updateName = "reject")
  void validateReject(Decision decision);

  /** Roll back now: the current step finishes, then compensation runs, kill switch first. */
  @SignalMethod
  void abort(OperatorAction action);

  @SignalMethod
  void pause(OperatorAction action);

  @SignalMethod
  void resume(OperatorAction action);

  /** End the current soak early; the gates still run once and must pass. */
  @SignalMethod
  void promote(OperatorAction action);

  /** Retry a compensation (or the contract step) that failed and left the rollout FAILED. */
  @SignalMethod
  void retry(OperatorAction action);

  @QueryMethod
  RolloutStatus status();
}
