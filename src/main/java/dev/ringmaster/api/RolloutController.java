package dev.ringmaster.api;

import dev.ringmaster.config.RingmasterProperties;
import dev.ringmaster.pipeline.ApprovalReceipt;
import dev.ringmaster.pipeline.Decision;
import dev.ringmaster.pipeline.OperatorAction;
import dev.ringmaster.pipeline.Phase;
import dev.ringmaster.pipeline.Refusal;
import dev.ringmaster.pipeline.RolloutStatus;
import dev.ringmaster.pipeline.RolloutWorkflow;
import dev.ringmaster.pipeline.State;
import io.temporal.client.WorkflowNotFoundException;
import io.temporal.client.WorkflowServiceException;
import io.temporal.client.WorkflowUpdateException;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** The REST API of DESIGN.md: start, list, status, history, and the decisions and signals on a rollout. */
@RestController
@RequestMapping("/api/rollouts")
class RolloutController {
  private final RolloutGateway gateway;
  private final RolloutListing listing;
  private final CallerIdentity identity;
  private final String publicUrl;

  RolloutController(RolloutGateway gateway, RolloutListing listing, CallerIdentity identity, RingmasterProperties props) {
    this.gateway = gateway;
    this.listing = listing;
    this.identity = identity;
    this.publicUrl = props.publicUrl();
  }

  @PostMapping
  ResponseEntity<Requests.Started> start(@RequestBody Requests.Start body) {
    String triggeredBy = identity.resolve(body.triggeredBy(), "triggeredBy");
    RolloutGateway.Start s = gateway.start(body, triggeredBy);
    var started = new Requests.Started(s.id(), publicUrl + "/api/rollouts/" + s.id(), s.status().state().name());
    return ResponseEntity.status(s.created() ? HttpStatus.CREATED : HttpStatus.OK).body(started);
  }

  @GetMapping
  List<RolloutListing.Item> list(@RequestParam(required = false) String service, @RequestParam(required = false) String state) {
    return listing.list(service, state);
  }

  @GetMapping("/{id}")
  RolloutStatus status(@PathVariable String id) {
    return gateway.status(id);
  }

  @GetMapping("/{id}/history")
  List<HistoryTimeline.Entry> history(@PathVariable String id) {
    if (gateway.describe(id).isEmpty()) throw ApiException.notFound(id);
    return HistoryTimeline.of(gateway.client(), id);
  }

  @PostMapping("/{id}/approve")
  ApprovalReceipt approve(@PathVariable String id, @RequestBody Requests.Action body) {
    return decide(id, body, RolloutWorkflow::approve);
  }

  @PostMapping("/{id}/reject")
  ApprovalReceipt reject(@PathVariable String id, @RequestBody Requests.Action body) {
    return decide(id, body, RolloutWorkflow::reject);
  }

  @PostMapping("/{id}/abort")
  ResponseEntity<RolloutStatus> abort(@PathVariable String id, @RequestBody Requests.Action body) {
    return signal(id, body, RolloutWorkflow::abort, s -> s.pastPointOfNoReturn() ? "it passed the point of no return (contract cleanup)"
        : s.phase() == Phase.ROLLING_BACK || s.phase() == Phase.FAILED ? "it is already rolling back" : null);
  }

  @PostMapping("/{id}/pause")
  ResponseEntity<RolloutStatus> pause(@PathVariable String id, @RequestBody Requests.Action body) {
    return signal(id, body, RolloutWorkflow::pause, s -> s.state() != State.RUNNING ? "it is " + s.state()
        : s.phase() == Phase.ROLLING_BACK || s.phase() == Phase.CONTRACTING ? "it is " + s.phase() : null);
  }

  @PostMapping("/{id}/resume")
  ResponseEntity<RolloutStatus> resume(@PathVariable String id, @RequestBody Requests.Action body) {
    return signal(id, body, RolloutWorkflow::resume, s -> s.state() != State.PAUSED ? "it is not paused (" + s.state() + ")"
        : s.phase() == Phase.AWAITING_APPROVAL ? "it is holding for an approval decision: approve or reject it" : null);
  }

  @PostMapping("/{id}/promote")
  ResponseEntity<RolloutStatus> promote(@PathVariable String id, @RequestBody Requests.Action body) {
    return signal(id, body, RolloutWorkflow::promote, s -> s.phase() != Phase.SOAKING || s.state() != State.RUNNING
        ? "promote ends a soak, and it is " + s.phase() + (s.state() == State.RUNNING ? "" : " (" + s.state() + ")") : null);
  }

  @PostMapping("/{id}/retry")
  ResponseEntity<RolloutStatus> retry(@PathVariable String id, @RequestBody Requests.Action body) {
    return signal(id, body, RolloutWorkflow::retry, s -> s.state() != State.FAILED ? "only a FAILED rollout can be retried; it is " + s.state() : null);
  }

  private ApprovalReceipt decide(String id, Requests.Action body, BiFunction<RolloutWorkflow, Decision, ApprovalReceipt> action) {
    String by = identity.resolve(body.by(), "by");
    return decide(id, new Decision(by, body.text(), "rest", identity.groups(by), body.gate()), action);
  }

  /** An approve or reject from any entry point (REST, Slack); refusals become {@link ApiException}s with the reason. */
  ApprovalReceipt decide(String id, Decision decision, BiFunction<RolloutWorkflow, Decision, ApprovalReceipt> action) {
    RolloutStatus s = gateway.status(id);
    if (s.state().isFinal()) throw new ApiException(HttpStatus.CONFLICT, id + " already ended " + s.state() + "; nothing awaits approval");
    try {
      return action.apply(stub(id), decision);
    } catch (WorkflowUpdateException e) {
      Refusal r = Refusal.of(e).orElseThrow(() -> e);
      HttpStatus status = r.forbidden() ? HttpStatus.FORBIDDEN : r.invalid() ? HttpStatus.BAD_REQUEST : HttpStatus.CONFLICT;
      throw new ApiException(status, r.message(), List.of(r.type()));
    } catch (WorkflowNotFoundException e) {
      throw ApiException.notFound(id);
    } catch (WorkflowServiceException e) {
      throw new ApiException(HttpStatus.CONFLICT, id + " is no longer running", List.of(String.valueOf(e.getCause())));
    }
  }

  private ResponseEntity<RolloutStatus> signal(String id, Requests.Action body, BiConsumer<RolloutWorkflow, OperatorAction> action,
      Function<RolloutStatus, String> whyNot) {
    String by = identity.resolve(body.by(), "by");
    RolloutStatus s = gateway.status(id);
    String reason = s.state().isFinal() ? "it already ended " + s.state() : whyNot.apply(s);
    if (reason != null) throw new ApiException(HttpStatus.CONFLICT, "not applicable to " + id + ": " + reason, List.of("phase " + s.phase() + ", state " + s.state()));
    try {
      action.accept(stub(id), new OperatorAction(by, body.text()));
    } catch (WorkflowNotFoundException e) {
      throw ApiException.notFound(id);
    }
    return ResponseEntity.accepted().body(gateway.status(id));
  }

  private RolloutWorkflow stub(String id) {
    return gateway.client().newWorkflowStub(RolloutWorkflow.class, id);
  }
}
