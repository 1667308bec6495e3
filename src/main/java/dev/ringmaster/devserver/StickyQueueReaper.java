package dev.ringmaster.devserver;

import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.temporal.api.enums.v1.QueryResultType;
import io.temporal.api.enums.v1.TaskQueueKind;
import io.temporal.api.enums.v1.WorkflowTaskFailedCause;
import io.temporal.api.failure.v1.Failure;
import io.temporal.api.taskqueue.v1.StickyExecutionAttributes;
import io.temporal.api.taskqueue.v1.TaskQueue;
import io.temporal.api.workflowservice.v1.PollWorkflowTaskQueueRequest;
import io.temporal.api.workflowservice.v1.PollWorkflowTaskQueueResponse;
import io.temporal.api.workflowservice.v1.QueryWorkflowRequest;
import io.temporal.api.workflowservice.v1.QueryWorkflowResponse;
import io.temporal.api.workflowservice.v1.RespondQueryTaskCompletedRequest;
import io.temporal.api.workflowservice.v1.RespondWorkflowTaskCompletedRequest;
import io.temporal.api.workflowservice.v1.RespondWorkflowTaskFailedRequest;
import io.temporal.api.workflowservice.v1.ShutdownWorkerRequest;
import io.temporal.api.workflowservice.v1.WorkflowServiceGrpc;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.lang.reflect.Field;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Lock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a real Temporal server does and Temporal's Java test server does not: give a workflow back to its task queue
 * when the worker that holds it in its cache is gone.
 *
 * <p>A worker with a workflow cache asks for each workflow's next task on a sticky queue of its own, so the task
 * carries only the new events instead of the whole history to replay. A real server moves a task that nobody
 * polls from its sticky queue to the normal one after the sticky schedule-to-start timeout (5 s). The test server
 * never does, so a workflow whose worker was SIGKILLed or shut down would wait forever. This interceptor, in the
 * test server's process, does it instead: it watches the sticky queues workers poll, and when a queue has had no
 * poll for {@link #GRACE} (or at once when its worker says it shuts down), it
 * <ol>
 *   <li>points every workflow that names the queue back at its normal task queue (the test server keeps that in
 *       a field it has no API for; read and written under the workflow's own lock), so new tasks and queries go
 *       there;
 *   <li>takes what already waits on the dead queue: a workflow task it fails with cause
 *       {@code RESET_STICKY_TASK_QUEUE} (the history shows it, and the test server schedules the task again on the
 *       normal queue); a query it asks again on the normal queue and relays the answer (as a real server does,
 *       which sends a query whose sticky worker is unavailable to the normal queue).
 * </ol>
 * The reaper's own polls carry {@link #IDENTITY} and are not counted as a worker's.
 */
final class StickyQueueReaper implements ServerInterceptor, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(StickyQueueReaper.class);
  static final String IDENTITY = "ringmaster-dev-server sticky-queue reaper";
  /** The real server's default sticky schedule-to-start timeout. */
  static final Duration GRACE = Duration.ofSeconds(5);
  /** How long a dead queue is still drained after it was found empty, in case a task raced the first pass. */
  private static final Duration DRAIN_AFTER = Duration.ofSeconds(30);
  /** How long a query taken off a dead queue may take when asked again. */
  static final Duration RELAY_DEADLINE = Duration.ofSeconds(10);

  private static final String POLL = WorkflowServiceGrpc.getPollWorkflowTaskQueueMethod().getFullMethodName();
  private static final String COMPLETED = WorkflowServiceGrpc.getRespondWorkflowTaskCompletedMethod().getFullMethodName();
  private static final String SHUTDOWN = WorkflowServiceGrpc.getShutdownWorkerMethod().getFullMethodName();

  private static final class Sticky {
    final String namespace, name;
    int polls; // outstanding polls by workers
    long lastSeen = System.nanoTime(); // a poll started or ended, or a task completed naming it
    long deadSince; // 0 while alive
    boolean pointedBack; // its workflows no longer name it, so nothing new can arrive on it
    boolean shutDown; // its worker said it shuts down

    Sticky(String namespace, String name) {
      this.namespace = namespace;
      this.name = name;
    }
  }

  private final Map<String, Sticky> queues = new ConcurrentHashMap<>();
  private final Object workflowService;
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "sticky-queue-reaper");
    t.setDaemon(true);
    return t;
  });
  private volatile WorkflowServiceStubs loopback;

  /** @param workflowService the test server's {@code TestWorkflowService}, whose workflows it points back */
  StickyQueueReaper(Object workflowService) {
    this.workflowService = workflowService;
  }

  /** Starts watching, once the server listens on {@code port}. */
  void start(int port) {
    loopback = WorkflowServiceStubs.newServiceStubs(WorkflowServiceStubsOptions.newBuilder()
        .setTarget("127.0.0.1:" + port).build());
    timer.scheduleWithFixedDelay(this::sweep, 1, 1, TimeUnit.SECONDS);
  }

  @Override
  public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers, ServerCallHandler<Q, A> next) {
    String method = call.getMethodDescriptor().getFullMethodName();
    ServerCall.Listener<Q> listener = next.startCall(call, headers);
    if (method.equals(COMPLETED)) {
      return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(listener) {
        @Override
        public void onMessage(Q message) {
          RespondWorkflowTaskCompletedRequest r = (RespondWorkflowTaskCompletedRequest) message;
          if (r.hasStickyAttributes()) seen(r.getNamespace(), r.getStickyAttributes().getWorkerTaskQueue().getName(), 0);
          super.onMessage(message);
        }
      };
    }
    if (method.equals(SHUTDOWN)) {
      return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(listener) {
        @Override
        public void onMessage(Q message) {
          ShutdownWorkerRequest r = (ShutdownWorkerRequest) message;
          Sticky s = r.getStickyTaskQueue().isEmpty() ? null : queues.get(r.getStickyTaskQueue());
          if (s != null) {
            synchronized (s) {
              s.shutDown = true; // a worker that shuts down says so: no need to wait out the grace
            }
          }
          super.onMessage(message);
        }
      };
    }
    if (!method.equals(POLL)) return listener;
    return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(listener) {
      private Sticky polled;

      @Override
      public void onMessage(Q message) {
        PollWorkflowTaskQueueRequest r = (PollWorkflowTaskQueueRequest) message;
        if (r.getTaskQueue().getKind() == TaskQueueKind.TASK_QUEUE_KIND_STICKY && !IDENTITY.equals(r.getIdentity())) {
          polled = seen(r.getNamespace(), r.getTaskQueue().getName(), +1);
        }
        super.onMessage(message);
      }

      @Override
      public void onComplete() {
        ended();
        super.onComplete();
      }

      @Override
      public void onCancel() {
        ended();
        super.onCancel();
      }

      private void ended() {
        if (polled == null) return;
        Sticky s = polled;
        polled = null;
        synchronized (s) {
          s.polls--;
          s.lastSeen = System.nanoTime();
        }
      }
    };
  }

  private Sticky seen(String namespace, String name, int pollDelta) {
    Sticky s = queues.computeIfAbsent(name, n -> new Sticky(namespace, n));
    synchronized (s) {
      s.polls += pollDelta;
      s.lastSeen = System.nanoTime();
      if (s.deadSince != 0 && !s.shutDown) s.deadSince = 0; // a worker polls it after all
    }
    return s;
  }

  private void sweep() {
    try {
      long now = System.nanoTime();
      for (Sticky s : List.copyOf(queues.values())) {
        boolean drain;
        synchronized (s) {
          if (s.deadSince == 0 && (s.shutDown || s.polls <= 0 && now - s.lastSeen > GRACE.toNanos())) {
            s.deadSince = now;
            log.info("sticky queue {} {}: its workflows go back to their task queues", s.name,
                s.shutDown ? "belongs to a worker that shut down" : "has had no poll for " + GRACE.toSeconds() + " s, its worker is gone");
            s.pointedBack = pointBack(s.name);
          }
          drain = s.deadSince != 0;
        }
        if (!drain) continue;
        boolean empty = drain(s);
        synchronized (s) {
          if (empty && s.pointedBack && s.deadSince != 0 && now - s.deadSince > DRAIN_AFTER.toNanos()) queues.remove(s.name, s);
        }
      }
    } catch (RuntimeException e) {
      log.warn("sticky queue sweep failed; trying again in a second", e);
    }
  }

  /** Takes every task waiting on a dead queue; true when there was none left. */
  private boolean drain(Sticky s) {
    WorkflowServiceStubs stubs = loopback;
    for (int taken = 0; taken < 1_000; taken++) {
      PollWorkflowTaskQueueResponse task;
      try {
        task = stubs.blockingStub().withDeadlineAfter(300, TimeUnit.MILLISECONDS).pollWorkflowTaskQueue(
            PollWorkflowTaskQueueRequest.newBuilder().setNamespace(s.namespace).setIdentity(IDENTITY)
                .setTaskQueue(TaskQueue.newBuilder().setName(s.name).setKind(TaskQueueKind.TASK_QUEUE_KIND_STICKY)).build());
      } catch (StatusRuntimeException deadlineOrClosing) {
        return true;
      }
      if (task.getTaskToken().isEmpty()) return true;
      try {
        if (task.hasQuery()) {
          boolean pointedBack;
          synchronized (s) {
            pointedBack = s.pointedBack;
          }
          if (pointedBack) {
            relay(s, task);
          } else {
            answerQuery(s, task, RespondQueryTaskCompletedRequest.newBuilder()
                .setCompletedType(QueryResultType.QUERY_RESULT_TYPE_FAILED)
                .setErrorMessage("the worker that held workflow " + task.getWorkflowExecution().getWorkflowId()
                    + " is gone; ask again"));
          }
        } else {
          stubs.blockingStub().respondWorkflowTaskFailed(RespondWorkflowTaskFailedRequest.newBuilder()
              .setNamespace(s.namespace).setTaskToken(task.getTaskToken()).setIdentity(IDENTITY)
              .setCause(WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_RESET_STICKY_TASK_QUEUE)
              .setFailure(Failure.newBuilder().setMessage("its worker's sticky queue " + s.name + " had no poll for "
                  + GRACE.toSeconds() + " s; the task goes back to the workflow's task queue")).build());
          log.info("workflow {}: its task waited on the dead sticky queue {}; it goes back to its task queue",
              task.getWorkflowExecution().getWorkflowId(), s.name);
        }
      } catch (StatusRuntimeException e) {
        log.warn("could not hand back a task of workflow {} from sticky queue {}: {}",
            task.getWorkflowExecution().getWorkflowId(), s.name, e.getStatus());
      }
    }
    return false;
  }

  /**
   * A query that waited on a dead queue is asked again, now that its workflow points at its normal task queue (where
   * a living worker answers it, replaying the history), and the answer goes back to whoever asked: the caller sees an
   * answer a few seconds late instead of a failure. Asynchronous, so the drain goes on meanwhile; within
   * {@link #RELAY_DEADLINE}, after which the caller (whose own deadline is about as long) gets a failure to ask again.
   */
  private void relay(Sticky s, PollWorkflowTaskQueueResponse task) {
    String workflowId = task.getWorkflowExecution().getWorkflowId();
    WorkflowServiceGrpc.newStub(loopback.getRawChannel()).withDeadlineAfter(RELAY_DEADLINE.toMillis(), TimeUnit.MILLISECONDS)
        .queryWorkflow(QueryWorkflowRequest.newBuilder().setNamespace(s.namespace)
            .setExecution(task.getWorkflowExecution()).setQuery(task.getQuery()).build(), new StreamObserver<QueryWorkflowResponse>() {
          @Override
          public void onNext(QueryWorkflowResponse answer) {
            answerQuery(s, task, RespondQueryTaskCompletedRequest.newBuilder()
                .setCompletedType(QueryResultType.QUERY_RESULT_TYPE_ANSWERED).setQueryResult(answer.getQueryResult()));
            log.info("workflow {}: its query waited on the dead sticky queue {}; asked again on its task queue and answered",
                workflowId, s.name);
          }

          @Override
          public void onError(Throwable e) {
            String why = e instanceof StatusRuntimeException r ? r.getStatus().getDescription() : null;
            answerQuery(s, task, RespondQueryTaskCompletedRequest.newBuilder()
                .setCompletedType(QueryResultType.QUERY_RESULT_TYPE_FAILED)
                .setErrorMessage(why == null ? "the query failed: " + e : why));
          }

          @Override
          public void onCompleted() {}
        });
  }

  private void answerQuery(Sticky s, PollWorkflowTaskQueueResponse task, RespondQueryTaskCompletedRequest.Builder answer) {
    try {
      loopback.blockingStub().respondQueryTaskCompleted(answer.setNamespace(s.namespace).setTaskToken(task.getTaskToken()).build());
    } catch (StatusRuntimeException e) {
      log.warn("could not answer a query of workflow {} from sticky queue {}: {}",
          task.getWorkflowExecution().getWorkflowId(), s.name, e.getStatus());
    }
  }

  /**
   * Clears the sticky queue of every workflow that names {@code name}, so their next task or query goes to their
   * normal task queue. The test server has no API for it ({@code ResetStickyTaskQueue} is unimplemented), so this
   * reads its fields; if they are not there (another test server version), the dead queue is still drained, which
   * resets each workflow on its next task (and the queue is then drained for as long as this process runs).
   */
  private boolean pointBack(String name) {
    try {
      List<Object> workflows = new ArrayList<>();
      Lock serviceLock = (Lock) TestServerFields.read(workflowService, "lock");
      serviceLock.lock();
      try {
        workflows.addAll(((Map<?, ?>) TestServerFields.read(workflowService, "executions")).values());
      } finally {
        serviceLock.unlock();
      }
      int pointed = 0;
      for (Object w : workflows) {
        Lock lock = (Lock) TestServerFields.read(w, "lock");
        Field sticky = TestServerFields.field(w.getClass(), "stickyExecutionAttributes");
        lock.lock();
        try {
          StickyExecutionAttributes a = (StickyExecutionAttributes) sticky.get(w);
          if (a != null && a.getWorkerTaskQueue().getName().equals(name)) {
            sticky.set(w, null);
            pointed++;
          }
        } finally {
          lock.unlock();
        }
      }
      if (pointed > 0) log.info("{} workflow(s) of sticky queue {} point at their task queues again", pointed, name);
      return true;
    } catch (ReflectiveOperationException | RuntimeException e) {
      log.warn("could not point the workflows of sticky queue {} back at their task queues ({}); each goes back on its next task", name, e.toString());
      return false;
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
    if (loopback != null) loopback.shutdownNow();
  }
}
