package dev.ringmaster.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ringmaster.support.FakeActivities;
import dev.ringmaster.support.TemporalTests;
import dev.ringmaster.support.TestDefinitions;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.common.WorkflowExecutionHistory;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.testing.WorkflowReplayer;
import io.temporal.worker.Worker;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Determinism guard: a recorded history of a full rollout (approval, three rings, contract) must replay on the
 * current workflow code. A change that breaks it needs {@code Workflow.getVersion}, or running rollouts would fail.
 * Re-record with {@code mvn test -Dtest=ReplayTest -Dringmaster.recordHistory=true} only for an intended, versioned change.
 */
class ReplayTest {
  static final Path RECORDED = Path.of("src/test/resources/histories/full-rollout.json");

  @RegisterExtension
  static final TestWorkflowExtension temporal = TemporalTests.rolloutExtension();

  @Test
  void aRecordedFullRolloutReplaysOnTheCurrentCode() throws Exception {
    String json = Files.readString(RECORDED, StandardCharsets.UTF_8);
    WorkflowExecutionHistory history = WorkflowExecutionHistory.fromJson(json);
    assertThat(history.getEvents()).hasSizeGreaterThan(50);
    WorkflowReplayer.replayWorkflowExecution(history, RolloutWorkflowImpl.class);
  }

  @Test
  void aFreshFullRolloutWithARollbackReplays(TestWorkflowEnvironment env, WorkflowClient client, Worker worker) throws Exception {
    FakeActivities fakes = new FakeActivities();
    worker.registerActivitiesImplementations(fakes, fakes.analysis);
    env.start();
    boolean record = Boolean.getBoolean("ringmaster.recordHistory");

    RolloutRequest req = TestDefinitions.request(TestDefinitions.threeRings(TestDefinitions.APPROVAL), "1.4.2", "dave");
    RolloutWorkflow wf = client.newWorkflowStub(RolloutWorkflow.class,
        WorkflowOptions.newBuilder().setWorkflowId(req.rolloutId()).setTaskQueue(worker.getTaskQueue()).build());
    WorkflowClient.start(wf::run, req);
    while (wf.status().phase() != Phase.AWAITING_APPROVAL) env.sleep(Duration.ofMinutes(10));
    if (record) {
      wf.approve(Decision.of("alice", "recorded", "rest"));
    } else {
      wf.pause(new OperatorAction("sre", "rest", null));
      wf.reject(Decision.of("bob", "no", "rest"));
    }
    WorkflowStub.fromTyped(wf).getResult(RolloutResult.class);
    WorkflowExecutionHistory history = client.fetchHistory(req.rolloutId());
    WorkflowReplayer.replayWorkflowExecution(history, RolloutWorkflowImpl.class);
    if (record) {
      Files.createDirectories(RECORDED.getParent());
      Files.writeString(RECORDED, history.toJson(true), StandardCharsets.UTF_8);
    }
  }
}
