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

  public RolloutCommands(WorkflowClient client, DefinitionLoader loader, RingmasterProperties props, SearchAttributeRegistrar searchAttributes) {
    this.gateway = new RolloutGateway(client, new DefinitionSource(loader, Path.of(props.workflowsDir()), props.migrations().allowedRoots()));
    this.listing = new RolloutListing(gateway);
    this.searchAttributes = searchAttributes;
  }

  public Started start(StartRequest request, Caller caller) {
    searchAttributes.ensure();
    return gateway.start(request, caller.identity(), this::lastSucceeded);
  }

  /** The service's newest rollout that SUCCEEDED, from Temporal (it outlives Ringmaster); null when there is none. */
  private RolloutRequest.KnownGood lastSucceeded(String service) {
    return listing.list(service, "SUCCEEDED").stream().findFirst().map(s -> new RolloutRequest.KnownGood(s.id(), s.version())).orElse(null);
  }

  public RolloutStatus status(String id) {
    return gateway.status(id);
  }

  public Optional<RolloutStatus> find(String id) {
    return gateway.find(id);
  }

  public List<RolloutStatus.Summary> list(String service, String state) {
    return listing.list(service, state);
  }

  public List<HistoryTimeline.Entry> history(String id) {
    if (gateway.describe(id).isEmpty()) throw CommandRefused.notFound(id);
    return HistoryTimeline.of(gateway.client(), id);
  }

  public ApprovalReceipt approve(String id, Caller caller, String comment, String gate) {
    return decide(id, new Decision(caller.identity(), comment, caller.source(), caller.groups(), gate), RolloutWorkflow::approve);
  }

  public ApprovalReceipt reject(String id, Caller caller, String comment, String gate) {
    return decide(id, new Decision(caller.identity(), comment, caller.source(), caller.groups(), gate), RolloutWorkflow::reject);
  }

  /** Sends the operation's signal when it applies to the rollout as it is now; answers with the status after it. */
  public RolloutStatus operate(String id, Operation operation, Caller caller, String reason) {
    RolloutStatus s = gateway.status(id);
    String whyNot = operation.whyNot(s);
    if (whyNot != null) {
      throw new CommandRefused(Reason.CONFLICT, "not applicable to " + id + ": " + whyNot, List.of("phase " + s.phase() + ", state " + s.state()));
    }
    try {
      operation.send(gateway.rollout(id), new OperatorAction(caller.identity(), reason));
    } catch (WorkflowNotFoundException e) {
      throw CommandRefused.notFound(id);
    }
    return gateway.status(id);
  }

  /** The workflow's Update validators decide; their refusals come back with the reason they gave. */
  private ApprovalReceipt decide(String id, Decision decision, BiFunction<RolloutWorkflow, Decision, ApprovalReceipt> action) {
    RolloutStatus s = gateway.status(id);
    if (s.state().isFinal()) throw new CommandRefused(Reason.CONFLICT, id + " already ended " + s.state() + "; nothing awaits approval");
    try {
      return action.apply(gateway.rollout(id), decision);
    } catch (WorkflowUpdateException e) {
      Refusal r = Refusal.of(e).orElseThrow(() -> e);
      throw new CommandRefused(r.forbidden() ? Reason.FORBIDDEN : r.invalid() ? Reason.INVALID : Reason.CONFLICT, r.message(), List.of(r.type()));
    } catch (WorkflowNotFoundException e) {
      throw CommandRefused.notFound(id);
    } catch (WorkflowServiceException e) {
      throw new CommandRefused(Reason.CONFLICT, id + " is no longer running", List.of(String.valueOf(e.getCause())));
    }
  }
}
