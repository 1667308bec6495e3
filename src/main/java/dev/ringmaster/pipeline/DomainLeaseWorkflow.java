package dev.ringmaster.pipeline;

import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.UpdateMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * At most one active rollout per domain. Temporal guarantees at most one open workflow per workflow ID, so the
 * domain's lease is a workflow with ID {@code domain-<domain>}: starting it fails while another rollout holds the
 * domain (the API answers 409 naming the holder), and it runs the rollout as its child, so the lease and the
 * rollout are created in one atomic start and the lease ends exactly when the rollout does — no lock table, no
 * race between two CI jobs, nothing left behind by a crash between two calls.
 */
@WorkflowInterface
public interface DomainLeaseWorkflow {
  @WorkflowMethod(name = "DomainLease")
  RolloutResult hold(RolloutRequest request);

  /** The rollout ID holding the domain. */
  @QueryMethod
  String holder();

  /**
   * Completes with the rollout's ID once the lease has started it. Sent with the lease's start as one
   * Update-with-start, so the caller learns that the rollout exists without polling for it.
   */
  @UpdateMethod
  String rolloutStarted();
}
