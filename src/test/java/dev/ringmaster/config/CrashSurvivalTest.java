package dev.ringmaster.config;

import dev.ringmaster.TaskQueues;
import dev.ringmaster.devserver.LoopbackTestServer;
import dev.ringmaster.pipeline.Phase;
import dev.ringmaster.pipeline.RolloutRequest;
import dev.ringmaster.pipeline.RolloutResult;
import dev.ringmaster.pipeline.RolloutWorkflow;
import dev.ringmaster.pipeline.RolloutWorkflowImpl;
import dev.ringmaster.pipeline.State;
import dev.ringmaster.support.FakeActivities;
import dev.ringmaster.support.TestDefinitions;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import io.temporal.worker.WorkerFactory;
import io.temporal.worker.WorkerOptions;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A rollout survives the death of the worker running it: against the embedded server (real gRPC, real time), the
 * worker is killed mid-soak and a new one, configured as Ringmaster configures workers, finishes the rollout
 * without running any completed step again.
 */
class CrashSurvivalTest {

  static WorkerFactory worker(WorkflowClient client, FakeActivities activities) {
    WorkerFactory factory = WorkerFactory.newInstance(client);
    var worker = factory.newWorker(TaskQueues.ROLLOUTS, TemporalSetup.workerOptions(WorkerOptions.newBuilder(), false, TemporalSetup.DEFAULT_MAX_CONCURRENT_ACTIVITIES).build());
    worker.registerWorkflowImplementationTypes(RolloutWorkflowImpl.class);
    worker.registerActivitiesImplementations(activities, activities.analysis);
    factory.start();
    return factory;
  }

  @Test
  void aRolloutWhoseWorkerDiedMidSoakIsFinishedByANewWorkerWithoutRepeatingSteps() throws Exception {
    try (LoopbackTestServer server = LoopbackTestServer.start(0)) {
      WorkflowServiceStubs stubs = WorkflowServiceStubs.newServiceStubs(
          WorkflowServiceStubsOptions.newBuilder().setTarget("127.0.0.1:" + server.port()).build());
      TemporalSetup.ensureSearchAttributes(stubs, "default");
      WorkflowClient client = WorkflowClient.newInstance(stubs);
      String yaml = TestDefinitions.threeRings("{ approvers: [alice], timeout: 1h }")
          .replace("soak: 1h", "soak: 3s").replace("      approval: { approvers: [alice], timeout: 1h }\n", "");
      RolloutRequest req = TestDefinitions.request(yaml, "3.1.0", "ci");

      FakeActivities first = new FakeActivities();
      WorkerFactory dying = worker(client, first);
      RolloutWorkflow wf = client.newWorkflowStub(RolloutWorkflow.class,
          WorkflowOptions.newBuilder().setWorkflowId(req.rolloutId()).setTaskQueue(TaskQueues.ROLLOUTS).build());
      WorkflowClient.start(wf::run, req);
      await().atMost(Duration.ofSeconds(20)).until(() -> wf.status().phase() == Phase.SOAKING);
      dying.shutdownNow();
      dying.awaitTermination(10, TimeUnit.SECONDS);

      FakeActivities second = new FakeActivities();
      WorkerFactory fresh = worker(client, second);
      try {
        RolloutResult result = WorkflowStub.fromTyped(wf).getResult(60, TimeUnit.SECONDS, RolloutResult.class);
        assertThat(result.state()).isEqualTo(State.SUCCEEDED);
        assertThat(first.changes()).containsExactly("DeployVersion 3.1.0", "EnableRing internal tenants [acme-internal]");
        assertThat(second.changes()).doesNotContain("DeployVersion 3.1.0", "EnableRing internal tenants [acme-internal]")
            .contains("EnableRing everyone tenants [acme-internal] + 100%", "RetireFlag");
      } finally {
        fresh.shutdownNow();
        stubs.shutdownNow();
      }
    }
  }
}
