package dev.ringmaster.devserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityOptions;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import io.temporal.worker.WorkerFactory;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The test server's time-lock list keeps only the events something can still remove: after a workflow of many
 * activities and timers it holds a handful, where the test server's own list would hold an event or two for every
 * activity it ever ran (and search all of them on every unlock). The server still runs activities, retries and timers.
 */
class TimeLockLedgerTest {
  private static final String QUEUE = "ledger-test";

  @ActivityInterface
  public interface Step {
    int step(int n);
  }

  public static class StepImpl implements Step {
    @Override
    public int step(int n) {
      if (n % 50 == 7 && io.temporal.activity.Activity.getExecutionContext().getInfo().getAttempt() == 1) {
        throw new IllegalStateException("fails once, then succeeds"); // a retry timer too
      }
      return n;
    }
  }

  @WorkflowInterface
  public interface Steps {
    @WorkflowMethod
    int run(int steps);
  }

  public static class StepsImpl implements Steps {
    @Override
    public int run(int steps) {
      Step step = Workflow.newActivityStub(Step.class, ActivityOptions.newBuilder().setStartToCloseTimeout(Duration.ofSeconds(10))
          .setRetryOptions(io.temporal.common.RetryOptions.newBuilder().setInitialInterval(Duration.ofMillis(100)).build()).build());
      int sum = 0;
      for (int i = 0; i < steps; i++) {
        sum += step.step(i);
        if (i % 20 == 0) Workflow.sleep(Duration.ofMillis(10));
      }
      return sum;
    }
  }

  @Test
  void onlyTheEventsALockHandleStillHoldsAreKept() throws Exception {
    try (LoopbackTestServer server = LoopbackTestServer.start(0)) {
      TimeLockLedger ledger = TimeLockLedger.of(server.services().getWorkflowService());
      assertThat(ledger).as("installed in the test server's clock").isNotNull();
      WorkflowServiceStubs stubs = WorkflowServiceStubs.newServiceStubs(WorkflowServiceStubsOptions.newBuilder().setTarget("127.0.0.1:" + server.port()).build());
      WorkerFactory factory = WorkerFactory.newInstance(WorkflowClient.newInstance(stubs));
      try {
        factory.newWorker(QUEUE).registerWorkflowImplementationTypes(StepsImpl.class);
        factory.getWorker(QUEUE).registerActivitiesImplementations(new StepImpl());
        factory.start();
        long before = ledger.added();
        Steps steps = WorkflowClient.newInstance(stubs).newWorkflowStub(Steps.class, WorkflowOptions.newBuilder().setWorkflowId("ledger").setTaskQueue(QUEUE).build());
        assertThat(steps.run(200)).isEqualTo(199 * 200 / 2);
        long recorded = ledger.added() - before;
        assertThat(recorded).as("the test server recorded lock events for the workflow's steps").isGreaterThan(400);
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200)).until(() -> {
          System.gc();
          return ledger.size() < 20;
        });
      } finally {
        factory.shutdownNow();
        stubs.shutdownNow();
      }
    }
  }
}
