package dev.ringmaster.support;

import static org.assertj.core.api.Assertions.fail;

import dev.ringmaster.pipeline.RolloutRequest;
import dev.ringmaster.pipeline.RolloutResult;
import dev.ringmaster.pipeline.RolloutStatus;
import dev.ringmaster.pipeline.RolloutWorkflow;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import java.time.Duration;
import java.util.function.Predicate;

/** Starting and watching rollouts in the time-skipping test environment, shared by the workflow tests. */
public final class TestRollouts {
  private TestRollouts() {}

  public static RolloutWorkflow start(WorkflowClient client, Worker worker, RolloutRequest req) {
    RolloutWorkflow wf = client.newWorkflowStub(RolloutWorkflow.class,
        WorkflowOptions.newBuilder().setWorkflowId(req.rolloutId()).setTaskQueue(worker.getTaskQueue()).build());
    WorkflowClient.start(wf::run, req);
    return wf;
  }

  public static RolloutResult result(RolloutWorkflow wf) {
    return WorkflowStub.fromTyped(wf).getResult(RolloutResult.class);
  }

  /** Lets (skipped) time pass a minute at a time until the rollout's status satisfies {@code condition}. */
  public static RolloutStatus awaitStatus(TestWorkflowEnvironment env, RolloutWorkflow wf, Predicate<RolloutStatus> condition, String what) {
    for (int i = 0; i < 24 * 60; i++) {
      RolloutStatus s = wf.status();
      if (condition.test(s)) return s;
      env.sleep(Duration.ofMinutes(1));
    }
    return fail("rollout never reached: " + what + "; last status " + wf.status());
  }
}
