package dev.ringmaster.devserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.temporal.api.enums.v1.EventType;
import io.temporal.api.enums.v1.WorkflowTaskFailedCause;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import io.temporal.worker.WorkerFactory;
import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.SignalMethod;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Sticky execution against the test server: a workflow whose worker is gone goes on with another worker. The first
 * worker's connection is cut (no goodbye, as with SIGKILL; ProcessCrashTest kills real processes), a signal arrives
 * while the dead worker's sticky queue still holds the workflow, and a query follows: the second worker gets both.
 * Without the reaper the signal's task would wait on the dead queue forever, and so would the query; a query that
 * reached the dead queue is asked again and answered, not failed.
 */
class StickyQueueReaperTest {
  private static final String QUEUE = "reaper-test";

  @WorkflowInterface
  public interface Counter {
    @WorkflowMethod
    int run(int until);

    @SignalMethod
    void add();

    @QueryMethod
    int count();
  }

  public static class CounterImpl implements Counter {
    private int count;

    @Override
    public int run(int until) {
      Workflow.await(() -> count >= until);
      return count;
    }

    @Override
    public void add() {
      count++;
    }

    @Override
    public int count() {
      return count;
    }
  }

  private static WorkerFactory worker(WorkflowServiceStubs stubs) {
    WorkerFactory factory = WorkerFactory.newInstance(WorkflowClient.newInstance(stubs));
    factory.newWorker(QUEUE).registerWorkflowImplementationTypes(CounterImpl.class); // sticky: the SDK's default
    factory.start();
    return factory;
  }

  private static WorkflowServiceStubs stubs(int port) {
    return WorkflowServiceStubs.newServiceStubs(WorkflowServiceStubsOptions.newBuilder().setTarget("127.0.0.1:" + port).build());
  }

  private LoopbackTestServer server;
  private WorkflowServiceStubs clientStubs, dyingStubs, freshStubs;
  private WorkflowClient client;
  private WorkerFactory dying, fresh;

  @BeforeEach
  void serverAndAWorkerThatWillDie() {
    server = LoopbackTestServer.start(0);
    clientStubs = stubs(server.port());
    dyingStubs = stubs(server.port());
    freshStubs = stubs(server.port());
    client = WorkflowClient.newInstance(clientStubs);
    dying = worker(dyingStubs);
  }

  @AfterEach
  void stop() {
    if (fresh != null) fresh.shutdownNow();
    dying.shutdownNow();
    freshStubs.shutdownNow();
    clientStubs.shutdownNow();
    server.close();
  }

  /** A counter on the dying worker, counted once: it is in that worker's cache, and its sticky queue names it. */
  private Counter countedOnceOnTheDyingWorker(String id, int until) {
    Counter counter = client.newWorkflowStub(Counter.class, WorkflowOptions.newBuilder().setWorkflowId(id).setTaskQueue(QUEUE).build());
    WorkflowClient.start(counter::run, until);
    counter.add();
    await().atMost(Duration.ofSeconds(10)).until(() -> counter.count() == 1); // answered from the dying worker's cache
    return counter;
  }

  /** The dying worker's polls are cut off and it never says goodbye (as with SIGKILL); a fresh worker starts. */
  private void theWorkerDiesAndAnotherStarts() {
    dyingStubs.shutdownNow();
    fresh = worker(freshStubs);
  }

  @Test
  void aWorkflowWhoseStickyWorkerIsGoneGoesOnWithAnotherWorker() throws Exception {
    Counter counter = countedOnceOnTheDyingWorker("counter", 3);
    theWorkerDiesAndAnotherStarts();
    long cut = System.nanoTime();
    counter.add(); // its workflow task goes to the dead worker's sticky queue
    await().atMost(Duration.ofSeconds(20)).ignoreExceptions().until(() -> counter.count() == 2);
    long handedOnSeconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - cut);
    assertThat(handedOnSeconds).as("handed on after the grace, not at a workflow task timeout").isLessThan(15);
    counter.add();
    assertThat(client.newUntypedWorkflowStub("counter").getResult(20, TimeUnit.SECONDS, Integer.class)).isEqualTo(3);

    List<HistoryEvent> failed = new ArrayList<>();
    for (HistoryEvent e : client.fetchHistory("counter").getEvents()) {
      if (e.getEventType() == EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED) failed.add(e);
    }
    assertThat(failed).as("the task that waited on the dead sticky queue, handed back; the history: %s",
        client.fetchHistory("counter").getEvents().stream().map(e -> e.getEventType().name()).toList()).hasSize(1);
    assertThat(failed.get(0).getWorkflowTaskFailedEventAttributes().getCause())
        .isEqualTo(WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_RESET_STICKY_TASK_QUEUE);
    assertThat(failed.get(0).getWorkflowTaskFailedEventAttributes().getIdentity()).isEqualTo(StickyQueueReaper.IDENTITY);
  }

  @Test
  void queriesGoToTheLivingWorkerOnceTheDeadOnesQueueIsFound() throws Exception {
    Counter counter = countedOnceOnTheDyingWorker("queried", 2);
    theWorkerDiesAndAnotherStarts();
    Thread.sleep(StickyQueueReaper.GRACE.toMillis() + 2_000); // found dead, workflows pointed back
    long t0 = System.nanoTime();
    assertThat(counter.count()).isEqualTo(1); // answered by the fresh worker, no history event needed
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).as("a query, not a wait for a deadline").isLessThan(5_000);
    for (HistoryEvent e : client.fetchHistory("queried").getEvents()) {
      assertThat(e.getEventType()).as("nothing waited on the dead queue").isNotEqualTo(EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED);
    }
  }

  @Test
  void aQueryThatReachedTheDeadQueueIsAnsweredByTheLivingWorker() throws Exception {
    Counter counter = countedOnceOnTheDyingWorker("asked-too-soon", 2);
    theWorkerDiesAndAnotherStarts();
    long t0 = System.nanoTime();
    // Asked at once: the workflow still names the dead worker's sticky queue, so the query waits there until the
    // reaper finds the queue dead, asks again on the task queue and relays the fresh worker's answer.
    assertThat(counter.count()).isEqualTo(1);
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).as("answered after the grace")
        .isGreaterThanOrEqualTo(StickyQueueReaper.GRACE.toMillis() - 1_000);
    counter.add();
    assertThat(client.newUntypedWorkflowStub("asked-too-soon").getResult(20, TimeUnit.SECONDS, Integer.class)).isEqualTo(2);
  }
}
