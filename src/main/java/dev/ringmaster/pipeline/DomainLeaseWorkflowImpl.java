package dev.ringmaster.pipeline;

import dev.ringmaster.TaskQueues;
import io.temporal.api.enums.v1.ParentClosePolicy;
import io.temporal.common.SearchAttributes;
import io.temporal.spring.boot.WorkflowImpl;
import io.temporal.workflow.Async;
import io.temporal.workflow.ChildWorkflowOptions;
import io.temporal.workflow.Promise;
import io.temporal.workflow.Workflow;

@WorkflowImpl(taskQueues = TaskQueues.ROLLOUTS)
public class DomainLeaseWorkflowImpl implements DomainLeaseWorkflow {
  private String holder;
  private boolean started;

  @Override
  public RolloutResult hold(RolloutRequest request) {
    holder = request.rolloutId();
    var md = request.definition().metadata();
    ChildWorkflowOptions options = ChildWorkflowOptions.newBuilder()
        .setWorkflowId(request.rolloutId())
        .setTaskQueue(TaskQueues.ROLLOUTS)
        // Terminating the lease by hand asks the rollout to cancel, which rolls it back rather than stranding it.
        .setParentClosePolicy(ParentClosePolicy.PARENT_CLOSE_POLICY_REQUEST_CANCEL)
        .setTypedSearchAttributes(SearchAttributes.newBuilder()
            .set(RolloutSearchAttributes.SERVICE, md.service())
            .set(RolloutSearchAttributes.VERSION, request.version())
            .set(RolloutSearchAttributes.PHASE, Phase.STARTING.name())
            .build())
        .setStaticSummary("Rollout of " + md.service() + " " + request.version() + " (domain " + md.domain() + ")")
        .build();
    RolloutWorkflow rollout = Workflow.newChildWorkflowStub(RolloutWorkflow.class, options);
    Promise<RolloutResult> result = Async.function(rollout::run, request);
    Workflow.getWorkflowExecution(rollout).get();
    started = true;
    return result.get();
  }

  @Override
  public String holder() {
    return holder;
  }

  @Override
  public String rolloutStarted() {
    Workflow.await(() -> started);
    return holder;
  }
}
