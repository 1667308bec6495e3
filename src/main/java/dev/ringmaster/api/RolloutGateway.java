package dev.ringmaster.api;

import dev.ringmaster.config.RingmasterProperties;
import dev.ringmaster.definition.DefinitionLoader;
import dev.ringmaster.definition.RolloutDefinition;
import dev.ringmaster.pipeline.DomainLeaseWorkflow;
import dev.ringmaster.pipeline.RolloutRequest;
import dev.ringmaster.pipeline.RolloutStatus;
import dev.ringmaster.pipeline.RolloutWorkflow;
import dev.ringmaster.TaskQueues;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.enums.v1.WorkflowIdConflictPolicy;
import io.temporal.api.enums.v1.WorkflowIdReusePolicy;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionRequest;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionResponse;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowExecutionAlreadyStarted;
import io.temporal.client.WorkflowNotFoundException;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowQueryException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;

/** Starting rollouts and reading them: the API's side of Temporal. */
@Service
class RolloutGateway {
  static final Pattern VERSION = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._+-]{0,63}");

  private final WorkflowClient client;
  private final DefinitionLoader loader;
  private final Path workflowsDir;

  RolloutGateway(WorkflowClient client, DefinitionLoader loader, RingmasterProperties props) {
    this.client = client;
    this.loader = loader;
    this.workflowsDir = Path.of(props.workflowsDir()).toAbsolutePath().normalize();
  }

  record Start(String id, boolean created, RolloutStatus status) {}

  /**
   * Idempotent: the same service and version while its rollout exists answers with that rollout. Another active
   * rollout in the domain → 409 naming it (see {@link DomainLeaseWorkflow} for the mechanism).
   */
  Start start(Requests.Start body, String triggeredBy) {
    if (body.version() == null || !VERSION.matcher(body.version()).matches()) {
      throw new ApiException(HttpStatus.BAD_REQUEST, "'version' is missing or not a valid version: " + body.version(),
          List.of("letters, digits, '.', '_', '+' and '-', at most 64 characters, e.g. 1.4.2"));
    }
    Loaded loaded = definition(body);
    RolloutDefinition d = loaded.definition();
    String id = RolloutRequest.rolloutId(d.metadata().service(), body.version());
    Optional<RolloutStatus> existing = find(id);
    if (existing.isPresent()) return new Start(id, false, existing.get());

    RolloutRequest request = new RolloutRequest(id, d.withMigrationLocationsIn(loaded.dir()), body.version(), body.commit(), triggeredBy, body.ciRunUrl(),
        Instant.now());
    String leaseId = RolloutRequest.domainLeaseId(d.metadata().domain());
    DomainLeaseWorkflow lease = client.newWorkflowStub(DomainLeaseWorkflow.class, WorkflowOptions.newBuilder()
        .setWorkflowId(leaseId)
        .setTaskQueue(TaskQueues.ROLLOUTS)
        .setWorkflowIdConflictPolicy(WorkflowIdConflictPolicy.WORKFLOW_ID_CONFLICT_POLICY_FAIL)
        .setWorkflowIdReusePolicy(WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE)
        .setStaticSummary("Domain " + d.metadata().domain() + " held by " + id)
        .build());
    try {
      WorkflowClient.start(lease::hold, request);
    } catch (WorkflowExecutionAlreadyStarted busy) {
      String holder = holder(leaseId);
      if (id.equals(holder)) return new Start(id, false, awaitCreated(id));
      throw new ApiException(HttpStatus.CONFLICT, "domain '" + d.metadata().domain() + "' is busy: " + holder + " is active",
          List.of("one active rollout per domain; wait for " + holder + " to finish, or abort it: POST /api/rollouts/" + holder + "/abort"));
    }
    return new Start(id, true, awaitCreated(id));
  }

  record Loaded(RolloutDefinition definition, String dir) {}

  private Loaded definition(Requests.Start body) {
    boolean inline = body.definition() != null && !body.definition().isBlank();
    boolean byPath = body.definitionPath() != null && !body.definitionPath().isBlank();
    if (inline == byPath) {
      throw new ApiException(HttpStatus.BAD_REQUEST, "send exactly one of 'definition' (the YAML) or 'definitionPath'",
          List.of("e.g. {\"definitionPath\": \"workflows/example.yaml\", \"version\": \"1.4.2\"}"));
    }
    // An inline definition's relative migration locations resolve against the workflows directory, like a file's there.
    if (inline) return new Loaded(loader.load(body.definition()), workflowsDir.toString());
    Path root = workflowsDir.getParent() == null ? workflowsDir : workflowsDir.getParent();
    Path file = root.resolve(body.definitionPath()).toAbsolutePath().normalize();
    if (!file.startsWith(workflowsDir)) {
      throw new ApiException(HttpStatus.BAD_REQUEST, "definitionPath must be inside the workflows directory " + workflowsDir,
          List.of("e.g. workflows/example.yaml"));
    }
    try {
      return new Loaded(loader.load(Files.readString(file, StandardCharsets.UTF_8)), file.getParent().toString());
    } catch (java.nio.file.NoSuchFileException e) {
      throw new ApiException(HttpStatus.BAD_REQUEST, "definitionPath '" + body.definitionPath() + "' does not exist", List.of());
    } catch (IOException e) {
      throw new ApiException(HttpStatus.BAD_REQUEST, "cannot read definitionPath '" + body.definitionPath() + "': " + e.getMessage(), List.of());
    }
  }

  private String holder(String leaseId) {
    try {
      return client.newWorkflowStub(DomainLeaseWorkflow.class, leaseId).holder();
    } catch (RuntimeException e) {
      return "another rollout (lease " + leaseId + ")";
    }
  }

  /** The lease starts the rollout as its child in its first task; wait a moment so the caller can read it at once. */
  private RolloutStatus awaitCreated(String id) {
    long deadline = System.currentTimeMillis() + 10_000;
    while (System.currentTimeMillis() < deadline) {
      Optional<RolloutStatus> s = find(id);
      if (s.isPresent()) return s.get();
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    throw new ApiException(HttpStatus.ACCEPTED, "rollout " + id + " was accepted but has not started yet; is a Ringmaster worker running?");
  }

  RolloutStatus status(String id) {
    return find(id).orElseThrow(() -> ApiException.notFound(id));
  }

  Optional<RolloutStatus> find(String id) {
    if (!id.startsWith("rollout-") || describe(id).isEmpty()) return Optional.empty();
    try {
      return Optional.of(client.newWorkflowStub(RolloutWorkflow.class, id).status());
    } catch (WorkflowNotFoundException e) {
      return Optional.empty();
    } catch (WorkflowQueryException e) {
      return Optional.empty(); // started but its first task has not run yet
    }
  }

  Optional<DescribeWorkflowExecutionResponse> describe(String id) {
    try {
      return Optional.of(client.getWorkflowServiceStubs().blockingStub().describeWorkflowExecution(
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
