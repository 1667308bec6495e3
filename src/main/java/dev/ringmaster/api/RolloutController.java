package dev.ringmaster.api;

import dev.ringmaster.PublicUrl;
import dev.ringmaster.pipeline.ApprovalReceipt;
import dev.ringmaster.pipeline.Operation;
import dev.ringmaster.pipeline.RolloutStatus;
import dev.ringmaster.rollouts.HistoryTimeline;
import dev.ringmaster.rollouts.RolloutCommands;
import dev.ringmaster.rollouts.Started;
import jakarta.servlet.http.HttpServletRequest;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** The REST API of DESIGN.md: start, list, status, history, and the decisions and operations on a rollout. */
@RestController
@RequestMapping("/api/rollouts")
class RolloutController {
  private final RolloutCommands commands;
  private final CallerIdentity identity;
  private final PublicUrl publicUrl;

  RolloutController(RolloutCommands commands, CallerIdentity identity, PublicUrl publicUrl) {
    this.commands = commands;
    this.identity = identity;
    this.publicUrl = publicUrl;
  }

  @PostMapping
  ResponseEntity<Requests.Started> start(HttpServletRequest http, @RequestBody Requests.Start body) {
    Started s = commands.start(body.request(), identity.resolve(http, body.triggeredBy(), "triggeredBy"));
    var started = new Requests.Started(s.id(), publicUrl.rollout(s.id()), s.state());
    return ResponseEntity.status(s.created() ? HttpStatus.CREATED : HttpStatus.OK).body(started);
  }

  @GetMapping
  List<RolloutStatus.Summary> list(HttpServletRequest http, @RequestParam(required = false) String service, @RequestParam(required = false) String state) {
    return commands.list(service, state, identity.resolve(http));
  }

  @GetMapping("/{id}")
  RolloutStatus status(HttpServletRequest http, @PathVariable String id) {
    return commands.status(id, identity.resolve(http));
  }

  @GetMapping("/{id}/history")
  List<HistoryTimeline.Entry> history(HttpServletRequest http, @PathVariable String id) {
    return commands.history(id, identity.resolve(http));
  }

  @PostMapping("/{id}/approve")
  ApprovalReceipt approve(HttpServletRequest http, @PathVariable String id, @RequestBody(required = false) Requests.Action body) {
    Requests.Action b = Requests.Action.orEmpty(body);
    return commands.approve(id, identity.resolve(http, b.by(), "by"), b.text(), b.gate());
  }

  @PostMapping("/{id}/reject")
  ApprovalReceipt reject(HttpServletRequest http, @PathVariable String id, @RequestBody(required = false) Requests.Action body) {
    Requests.Action b = Requests.Action.orEmpty(body);
    return commands.reject(id, identity.resolve(http, b.by(), "by"), b.text(), b.gate());
  }

  @PostMapping("/{id}/abort")
  ResponseEntity<RolloutStatus> abort(HttpServletRequest http, @PathVariable String id, @RequestBody(required = false) Requests.Action body) {
    return operate(http, id, Operation.ABORT, body);
  }

  @PostMapping("/{id}/pause")
  ResponseEntity<RolloutStatus> pause(HttpServletRequest http, @PathVariable String id, @RequestBody(required = false) Requests.Action body) {
    return operate(http, id, Operation.PAUSE, body);
  }

  @PostMapping("/{id}/resume")
  ResponseEntity<RolloutStatus> resume(HttpServletRequest http, @PathVariable String id, @RequestBody(required = false) Requests.Action body) {
    return operate(http, id, Operation.RESUME, body);
  }

  @PostMapping("/{id}/promote")
  ResponseEntity<RolloutStatus> promote(HttpServletRequest http, @PathVariable String id, @RequestBody(required = false) Requests.Action body) {
    return operate(http, id, Operation.PROMOTE, body);
  }

  @PostMapping("/{id}/retry")
  ResponseEntity<RolloutStatus> retry(HttpServletRequest http, @PathVariable String id, @RequestBody(required = false) Requests.Action body) {
    return operate(http, id, Operation.RETRY, body);
  }

  private ResponseEntity<RolloutStatus> operate(HttpServletRequest http, String id, Operation operation, Requests.Action body) {
    Requests.Action b = Requests.Action.orEmpty(body);
    return ResponseEntity.accepted().body(commands.operate(id, operation, identity.resolve(http, b.by(), "by"), b.text()));
  }
}
