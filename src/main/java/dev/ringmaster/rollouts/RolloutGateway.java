package dev.ringmaster.rollouts;

import dev.ringmaster.TaskQueues;
import dev.ringmaster.analysis.SoakBeat;
import dev.ringmaster.definition.RolloutDefinition;
import dev.ringmaster.pipeline.DomainLeaseWorkflow;
import dev.ringmaster.pipeline.RolloutRequest;
import dev.ringmaster.pipeline.RolloutStatus;
import dev.ringmaster.pipeline.RolloutWorkflow;
import dev.ringmaster.pipeline.State;
import dev.ringmaster.rollouts.CommandRefused.Reason;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.workflow.v1.PendingActivityInfo;
import io.temporal.api.enums.v1.WorkflowIdConflictPolicy;
import io.temporal.api.enums.v1.WorkflowIdReusePolicy;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionRequest;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionResponse;
import io.temporal.client.UpdateOptions;
import io.temporal.client.WithStartWorkflowOperation;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowExecutionAlreadyStarted;
import io.temporal.client.WorkflowNotFoundException;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowQueryException;
import io.temporal.client.WorkflowUpdateStage;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;

/** Starting rollouts and reading them: the commands' side of Temporal. */
final class RolloutGateway {
  static final Pattern VERSION = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._+-]{0,63}");
  /** How long a start waits for a worker to start the rollout before answering that it is pending. */
  private static final long START_WAIT_SECONDS = 10;
  /** The blocking Update-with-start calls run here, so a start that outlives its wait finishes in the background. */
  private static final ExecutorService STARTS = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "rollout-start");
    t.setDaemon(true);
    return t;
  });

  private final WorkflowClient client;
  /** The last status query's answer per rollout, with the run and history length it was read at (see find). */
  private final Map<String, Queried> queried = Collections.synchronizedMap(new LinkedHashMap<>(256, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Queried> eldest) {
      return size() > 5_000;
    }
  });

  /** A status query's answer for one run at one history length: it holds while the run's history has not grown. */
  private record Queried(String runId, long historyLength, RolloutStatus status) {
    boolean holdsFor(String run, long length) {
      return length > 0 && runId.equals(run) && historyLength == length;
    }
  }
  private final DefinitionSource definitions;

  RolloutGateway(WorkflowClient client, DefinitionSource definitions) {
    this.client = client;
    this.definitions = definitions;
  }

  /**
   * Idempotent: the same service and version while its rollout exists answers with that rollout. Another active
   * rollout in the domain → CONFLICT naming it (see {@link DomainLeaseWorkflow} for the mechanism). The lease is
   * started together with its {@code rolloutStarted} Update (Update-with-start): one call that returns once the lease
   * has started the rollout, instead of polling for the child to appear.
   */
  Started start(StartRequest body, Caller caller, java.util.function.Function<String, RolloutRequest.KnownGood> lastSucceeded) {
    if (body.version() == null || !VERSION.matcher(body.version()).matches()) {
      throw new CommandRefused(Reason.INVALID, body.version() == null ? "'version' is missing" : "'version' is not a valid version: '" + body.version() + "'",
          List.of("letters, digits, '.', '_', '+' and '-', at most 64 characters, e.g. 1.4.2"));
    }
    RolloutDefinition d = definitions.load(body);
    caller.require(Role.TRIGGER, d.metadata().service(), "start rollouts");
    String triggeredBy = caller.identity();
    String id = RolloutRequest.rolloutId(d.metadata().service(), body.version());
    Optional<RolloutStatus> existing = find(id);
    if (existing.isPresent()) return new Started(id, false, existing.get().state());

    RolloutRequest request = new RolloutRequest(id, d, body.version(), body.commit(), triggeredBy, body.ciRunUrl(), Instant.now(),
        lastSucceeded.apply(d.metadata().service()), caller.source());
    String leaseId = RolloutRequest.domainLeaseId(d.metadata().domain());
    DomainLeaseWorkflow lease = client.newWorkflowStub(DomainLeaseWorkflow.class, WorkflowOptions.newBuilder()
        .setWorkflowId(leaseId)
        .setTaskQueue(TaskQueues.ROLLOUTS)
        .setWorkflowIdConflictPolicy(WorkflowIdConflictPolicy.WORKFLOW_ID_CONFLICT_POLICY_FAIL)
        .setWorkflowIdReusePolicy(WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE)
        .setStaticSummary("Domain " + d.metadata().domain() + " held by " + id)
        .build());
    CompletableFuture<String> started = CompletableFuture.supplyAsync(() -> WorkflowClient.executeUpdateWithStart(lease::rolloutStarted,
        UpdateOptions.<String>newBuilder().setWaitForStage(WorkflowUpdateStage.COMPLETED).build(),
        new WithStartWorkflowOperation<>(lease::hold, request)), STARTS);
    try {
      started.get(START_WAIT_SECONDS, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      throw new CommandRefused(Reason.PENDING, "rollout " + id + " was accepted but has not started yet; is a Ringmaster worker running?");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CommandRefused(Reason.PENDING, "rollout " + id + " was accepted; interrupted while waiting for it to start");
    } catch (ExecutionException e) {
      if (!alreadyStarted(e.getCause())) throw new IllegalStateException("could not start " + id, e.getCause());
      String holder = holder(leaseId);
      if (!id.equals(holder)) {
        throw new CommandRefused(Reason.CONFLICT, "domain '" + d.metadata().domain() + "' is busy: " + holder + " is active",
            List.of("one active rollout per domain; wait for " + holder + " to finish, or abort it: POST /api/rollouts/" + holder + "/abort"));
      }
      return new Started(id, false, find(id).map(RolloutStatus::state).orElse(State.RUNNING));
    }
    return new Started(id, true, State.RUNNING);
  }

  /** The lease exists: Update-with-start reports it as the gRPC status ALREADY_EXISTS inside a service exception. */
  private static boolean alreadyStarted(Throwable t) {
    for (; t != null; t = t.getCause()) {
      if (t instanceof WorkflowExecutionAlreadyStarted) return true;
      if (t instanceof StatusRuntimeException e && e.getStatus().getCode() == Status.Code.ALREADY_EXISTS) return true;
    }
    return false;
  }

  private String holder(String leaseId) {
    try {
      return client.newWorkflowStub(DomainLeaseWorkflow.class, leaseId).holder();
    } catch (RuntimeException e) {
      return "another rollout (lease " + leaseId + ")";
    }
  }

  RolloutStatus status(String id) {
    return find(id).orElseThrow(() -> CommandRefused.notFound(id));
  }

  /** A run of a rollout as this process last read it: which run, and its service. */
  record KnownRun(String runId, String service) {}

  /**
   * The run and service of a rollout whose status was read before while it ran, without asking the server: a run's
   * service never changes, so an approval checks the caller's scope against it and sends the Update to that run,
   * with no describe. None for a rollout last seen ended (its id may have been started again since).
   */
  Optional<KnownRun> knownRun(String id) {
    Queried kept = queried.get(id);
    if (kept == null || kept.status().state().isFinal() || kept.status().service() == null) return Optional.empty();
    return Optional.of(new KnownRun(kept.runId(), kept.status().service()));
  }

  /**
   * The status: the workflow's {@code status()} query with the live measurements of a ring that soaks. A query costs
   * a workflow task (a replay of the history when the workflow is not in the worker's cache); its
   * answer only changes when the history grows, so it is kept per run and history length, and the describe that
   * comes first anyway says whether it still holds.
   */
  Optional<RolloutStatus> find(String id) {
    Optional<DescribeWorkflowExecutionResponse> described = id.startsWith("rollout-") ? describe(id) : Optional.empty();
    if (described.isEmpty()) return Optional.empty();
    var info = described.get().getWorkflowExecutionInfo();
    String runId = info.getExecution().getRunId();
    try {
      Queried kept = queried.get(id);
      RolloutStatus s;
      if (kept != null && kept.holdsFor(runId, info.getHistoryLength())) {
        s = kept.status();
      } else {
        s = rollout(id).status();
        queried.put(id, new Queried(runId, info.getHistoryLength(), s));
      }
      return Optional.of(withLiveMeasurements(s, described.get()));
    } catch (WorkflowNotFoundException e) {
      return Optional.empty();
    } catch (WorkflowQueryException e) {
      // Its first workflow task has not completed yet (started, task scheduled, task started): not there yet.
      if (info.getHistoryLength() <= 3) return Optional.empty();
      // It exists, but no worker answered for it just now; a 404 would tell the caller it is gone.
      throw CommandRefused.unavailable(id, e.getCause() == null ? e.getMessage() : e.getCause().getMessage());
    }
  }

  /**
   * For a list, where the server's listing already gave the run and its history length: the kept answer when it
   * still holds, without asking the server anything; else {@link #find}. Without the live measurements of a soaking
   * ring, which a list does not show.
   */
  Optional<RolloutStatus> findListed(String id, String runId, long historyLength) {
    Queried kept = queried.get(id);
    if (kept != null && kept.holdsFor(runId, historyLength)) return Optional.of(kept.status());
    return find(id);
  }

  /**
   * While a ring soaks, its measurements live in the {@code WatchSoak} activity's heartbeat (the workflow learns them
   * when the soak ends, keeping the history small): the status shows the newer of the two.
   */
  private RolloutStatus withLiveMeasurements(RolloutStatus s, DescribeWorkflowExecutionResponse d) {
    if (s.currentRing() < 0) return s;
    for (PendingActivityInfo a : d.getPendingActivitiesList()) {
      if (!a.getActivityType().getName().equals("WatchSoak") || !a.hasHeartbeatDetails()) continue;
      try {
        SoakBeat beat = client.getOptions().getDataConverter()
            .fromPayloads(0, Optional.of(a.getHeartbeatDetails()), SoakBeat.class, SoakBeat.class);
        if (beat != null) return s.withMeasurements(s.currentRing(), beat.streak().summary());
      } catch (RuntimeException unreadable) {
        return s; // a heartbeat from another version: the recorded measurements will do
      }
    }
    return s;
  }

  RolloutWorkflow rollout(String id) {
    return client.newWorkflowStub(RolloutWorkflow.class, id);
  }

  /** The rollout's run {@code runId} alone: a call to it fails once that run has ended, even if the id runs again. */
  RolloutWorkflow rollout(String id, String runId) {
    return client.newWorkflowStub(RolloutWorkflow.class, id, Optional.of(runId));
  }

  Optional<DescribeWorkflowExecutionResponse> describe(String id) {
    try {
      return Optional.of(client.getWorkflowServiceStubs().blockingStub().withDeadlineAfter(5, TimeUnit.SECONDS).describeWorkflowExecution(
          DescribeWorkflowExecutionRequest.newBuilder()
              .setNamespace(client.getOptions().getNamespace())
              .setExecution(WorkflowExecution.newBuilder().setWorkflowId(id))
              .build()));
    } catch (StatusRuntimeException e) {
      if (e.getStatus().getCode() == Status.Code.NOT_FOUND) return Optional.empty();
      throw e;
    }
  }

  WorkflowClient client() {
    return client;
  }
}
