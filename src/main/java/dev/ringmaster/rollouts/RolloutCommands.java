package dev.ringmaster.rollouts;

import dev.ringmaster.config.RingmasterProperties;
import dev.ringmaster.config.SearchAttributeRegistrar;
import dev.ringmaster.definition.DefinitionLoader;
import dev.ringmaster.pipeline.ApprovalReceipt;
import dev.ringmaster.pipeline.Decision;
import dev.ringmaster.pipeline.Operation;
import dev.ringmaster.pipeline.OperatorAction;
import dev.ringmaster.pipeline.Refusal;
import dev.ringmaster.pipeline.RolloutRequest;
import dev.ringmaster.pipeline.RolloutStatus;
import dev.ringmaster.pipeline.RolloutWorkflow;
import dev.ringmaster.rollouts.CommandRefused.Reason;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowNotFoundException;
import io.temporal.client.WorkflowServiceException;
import io.temporal.client.WorkflowUpdateException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.BiFunction;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Service;

/**
 * Every command on rollouts, for every entry point (REST, Slack, the CLI through REST, the dashboard): start, the
 * decisions (approve, reject), the operations (abort, pause, resume, promote, retry) and the reads. Entry points
 * say who calls ({@link Caller}); refusals are {@link CommandRefused} with a reason each entry point answers in its
 * own way. Authorization plugs in here.
 */
@Service
public class RolloutCommands {
  private final RolloutGateway gateway;
  private final RolloutListing listing;
  private final SearchAttributeRegistrar searchAttributes;

  @Autowired
  public RolloutCommands(WorkflowClient client, DefinitionLoader loader, RingmasterProperties props, SearchAttributeRegistrar searchAttributes) {
    this(new RolloutGateway(client, new DefinitionSource(loader, Path.of(props.workflowsDir()), props.migrations().allowedRoots())), searchAttributes);
  }

  RolloutCommands(RolloutGateway gateway, SearchAttributeRegistrar searchAttributes) {
    this.gateway = gateway;
    this.listing = new RolloutListing(gateway);
    this.searchAttributes = searchAttributes;
  }

  public Started start(StartRequest request, Caller caller) {
    caller.require(Role.TRIGGER, null, "start rollouts");
    searchAttributes.ensure();
    return gateway.start(request, caller, this::lastSucceeded);
  }

  /** The service's newest rollout that SUCCEEDED, from Temporal (it outlives Ringmaster); null when there is none. */
  private RolloutRequest.KnownGood lastSucceeded(String service) {
    return listing.list(service, "SUCCEEDED").stream().findFirst().map(s -> new RolloutRequest.KnownGood(s.id(), s.version())).orElse(null);
  }

  public RolloutStatus status(String id, Caller caller) {
    caller.require(Role.READ, null, "read rollouts");
    RolloutStatus s = gateway.status(id);
    caller.require(Role.READ, s.service(), "read rollouts");
    return s;
  }

  public Optional<RolloutStatus> find(String id) {
    return gateway.find(id);
  }

  /** The rollouts the caller may read: of {@code service} when given (refused outside its scopes), else of its services. */
  public List<RolloutStatus.Summary> list(String service, String state, Caller caller) {
    caller.require(Role.READ, service, "read rollouts");
    return listing.list(service, state).stream().filter(r -> caller.mayActOn(r.service())).toList();
  }

  /** Every rollout's status as Temporal has it, for Ringmaster's own metrics (no caller: nothing leaves the process). */
  public List<RolloutStatus> statuses() {
    return listing.statuses();
  }

  public List<HistoryTimeline.Entry> history(String id, Caller caller) {
    status(id, caller);
    return HistoryTimeline.of(gateway.client(), id);
  }

  public ApprovalReceipt approve(String id, Caller caller, String comment, String gate) {
    return decide(id, caller, "approve rollouts", new Decision(caller.identity(), comment, caller.source(), caller.groups(), gate), RolloutWorkflow::approve);
  }

  public ApprovalReceipt reject(String id, Caller caller, String comment, String gate) {
    return decide(id, caller, "reject rollouts", new Decision(caller.identity(), comment, caller.source(), caller.groups(), gate), RolloutWorkflow::reject);
  }

  /** Sends the operation's signal when it applies to the rollout as it is now; answers with the status after it. */
  public RolloutStatus operate(String id, Operation operation, Caller caller, String reason) {
    RolloutStatus s = authorize(id, caller, Role.OPERATE, operation.name().toLowerCase(java.util.Locale.ROOT) + " rollouts");
    String whyNot = operation.whyNot(s);
    if (whyNot != null) {
      throw new CommandRefused(Reason.CONFLICT, "not applicable to " + id + ": " + whyNot, List.of("phase " + s.phase() + ", state " + s.state()));
    }
    try {
      operation.send(gateway.rollout(id), new OperatorAction(caller.identity(), caller.source(), reason));
    } catch (WorkflowNotFoundException e) {
      throw CommandRefused.notFound(id);
    }
    return gateway.status(id);
  }

  /** The role first (nothing is read without it), then the rollout's service against the caller's scopes. */
  private RolloutStatus authorize(String id, Caller caller, Role role, String action) {
    caller.require(role, null, action);
    RolloutStatus s = gateway.status(id);
    caller.require(role, s.service(), action);
    return s;
  }

  /**
   * The workflow's Update validators decide; their refusals come back with the reason they gave. When this process
   * read the rollout's status while it ran, that run's service (which never changes) is enough for the caller's scope,
   * and the Update goes to that run with no describe first: one round trip to Temporal per decision. Should that run
   * have ended, the status is read then, so the answer says what became of the rollout (or that there is none).
   */
  private ApprovalReceipt decide(String id, Caller caller, String action, Decision decision, BiFunction<RolloutWorkflow, Decision, ApprovalReceipt> update) {
    caller.require(Role.APPROVE, null, action);
    Optional<RolloutGateway.KnownRun> known = gateway.knownRun(id);
    if (known.isPresent()) {
      caller.require(Role.APPROVE, known.get().service(), action);
      try {
        return send(gateway.rollout(id, known.get().runId()), decision, update);
      } catch (WorkflowNotFoundException | WorkflowServiceException notRunning) {
        // that run ended (or is gone) since its status was read: the slow way below says what became of the rollout
      }
    }
    RolloutStatus s = authorize(id, caller, Role.APPROVE, action);
    if (s.state().isFinal()) throw new CommandRefused(Reason.CONFLICT, id + " already ended " + s.state() + "; nothing awaits approval");
    try {
      return send(gateway.rollout(id), decision, update);
    } catch (WorkflowNotFoundException e) {
      throw CommandRefused.notFound(id);
    } catch (WorkflowServiceException e) {
      throw new CommandRefused(Reason.CONFLICT, id + " is no longer running", List.of(String.valueOf(e.getCause())));
    }
  }

  /** The Update; a refusal of its validator becomes the {@link CommandRefused} it says. */
  private static ApprovalReceipt send(RolloutWorkflow rollout, Decision decision, BiFunction<RolloutWorkflow, Decision, ApprovalReceipt> update) {
    try {
      return update.apply(rollout, decision);
    } catch (WorkflowUpdateException e) {
      Refusal r = Refusal.of(e).orElseThrow(() -> e);
      throw new CommandRefused(r.forbidden() ? Reason.FORBIDDEN : r.invalid() ? Reason.INVALID : Reason.CONFLICT, r.message(), List.of(r.type()));
    }
  }
}
