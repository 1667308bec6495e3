package dev.ringmaster.pipeline;

import dev.ringmaster.definition.Durations;
import dev.ringmaster.definition.RolloutDefinition.Approval;
import dev.ringmaster.definition.RolloutDefinition.OnTimeout;
import dev.ringmaster.definition.RolloutDefinition.Ring;
import dev.ringmaster.notify.Notification.Kind;
import io.temporal.workflow.CancellationScope;
import io.temporal.workflow.Functions;
import io.temporal.workflow.Promise;
import io.temporal.workflow.TimerOptions;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Waiting for a human decision on a ring (or on the contract): asks for it, takes the approve/reject Updates (whose
 * rules {@link ApprovalGate} checks in their validators), and ends on quorum, a rejection, an abort or the deadline
 * ({@code onTimeout: rollback} rolls back, {@code hold} keeps waiting, PAUSED).
 */
final class ApprovalWait {
  private final RolloutRequest request;
  private final RolloutState st;
  private final Notifications notes;
  private final OperatorRequests operator;
  private ApprovalGate gate;

  ApprovalWait(RolloutRequest request, RolloutState st, Notifications notes, OperatorRequests operator) {
    this.request = request;
    this.st = st;
    this.notes = notes;
    this.operator = operator;
  }

  void await(String gateName, Approval approval) {
    gate = new ApprovalGate(gateName, approval);
    st.awaiting = gateName;
    st.awaitingSince = RolloutState.now();
    st.awaitingApprovers = approval.approvers();
    Instant deadline = RolloutState.now().plus(approval.timeout());
    String ask = "'" + gateName + "' awaits approval from " + String.join(", ", approval.approvers()) + " (quorum " + approval.quorum() + ") until " + deadline;
    st.phase(Phase.AWAITING_APPROVAL, ask);
    notes.send(Kind.APPROVAL_REQUESTED, ask, details(gateName, approval, deadline));
    boolean inTime = awaitWithDeadline(approval.timeout(), "approval deadline of '" + gateName + "' (onTimeout: "
        + approval.onTimeout().name().toLowerCase() + ")", () -> gate.decided() || operator.abortedBy != null);
    if (!inTime) {
      String timedOut = "approval of '" + gateName + "' timed out after " + Durations.format(approval.timeout());
      st.approvals.add(new ApprovalRecord(gateName, "ringmaster", "TIMED_OUT", "timer", "onTimeout: " + approval.onTimeout(), RolloutState.now()));
      if (approval.onTimeout() == OnTimeout.ROLLBACK) throw new RollbackRequested(timedOut + " (onTimeout: rollback)");
      st.state(State.PAUSED, timedOut + "; holding (onTimeout: hold) until approved, rejected or aborted");
      notes.send(Kind.PAUSED, st.message);
      Workflow.await(() -> gate.decided() || operator.abortedBy != null);
      st.state(State.RUNNING, "decision received after the timeout");
    }
    operator.checkAbort();
    if (gate.rejection != null) {
      Decision r = gate.rejection;
      throw new RollbackRequested("'" + gateName + "' rejected by " + r.by() + (r.comment() == null ? "" : ": " + r.comment()));
    }
    notes.send(Kind.APPROVAL_DECIDED, "'" + gateName + "' approved by " + String.join(", ", gate.approvedBy));
    clear();
  }

  /** Nothing awaits a decision any more (decided, or rolling back). */
  void clear() {
    gate = null;
    st.awaiting = null;
  }

  /** The Update validator: refuses (nothing recorded) when this decision may not be taken now. */
  void validate(Decision d, boolean approving, String whereWeAre) {
    ApprovalGate.check(gate, d, request.triggeredBy(), approving, whereWeAre);
  }

  ApprovalReceipt approve(Decision d) {
    gate.approvedBy.add(d.by());
    st.approvals.add(new ApprovalRecord(gate.name, d.by(), "APPROVED", d.source(), d.comment(), RolloutState.now()));
    int n = gate.approvedBy.size();
    int quorum = gate.spec.quorum();
    st.note("'" + gate.name + "' approved by " + d.by() + " (" + n + " of " + quorum + ")");
    return new ApprovalReceipt(gate.name, "APPROVED", n, quorum, n >= quorum ? "quorum reached; the rollout continues" : (quorum - n) + " more approval(s) needed");
  }

  ApprovalReceipt reject(Decision d) {
    gate.rejection = d;
    st.approvals.add(new ApprovalRecord(gate.name, d.by(), "REJECTED", d.source(), d.comment(), RolloutState.now()));
    return new ApprovalReceipt(gate.name, "REJECTED", gate.approvedBy.size(), gate.spec.quorum(), "rejected; the rollout rolls back");
  }

  /** What an approver needs to decide: where the rollout stands, what comes next, who asked, until when. */
  private Map<String, String> details(String gateName, Approval approval, Instant deadline) {
    List<Ring> rings = request.definition().spec().rings();
    int at = -1;
    for (int i = 0; i < rings.size(); i++) if (rings.get(i).name().equals(gateName)) at = i;
    Map<String, String> d = new LinkedHashMap<>();
    d.put("gate", gateName);
    d.put("ringReached", at >= 0 ? gateName + " (" + st.ring(at).audience() + ")" : "everyone (all rings done)");
    d.put("nextRing", at >= 0 && at + 1 < rings.size() ? rings.get(at + 1).name() : "contract cleanup (point of no return)");
    d.put("approvers", String.join(", ", approval.approvers()));
    d.put("quorum", String.valueOf(approval.quorum()));
    d.put("deadline", deadline.toString());
    d.put("triggeredBy", request.triggeredBy());
    String soak = at >= 0 ? st.ring(at).verdict() : null;
    if (soak != null) d.put("soak", soak);
    return d;
  }

  /** Like {@code Workflow.await(timeout, condition)}, with a timer whose summary says what the deadline is for. */
  private static boolean awaitWithDeadline(Duration timeout, String summary, Functions.Func<Boolean> condition) {
    Promise<Void>[] deadline = new Promise[1];
    CancellationScope scope = Workflow.newCancellationScope(
        () -> deadline[0] = Workflow.newTimer(timeout, TimerOptions.newBuilder().setSummary(summary).build()));
    scope.run();
    Workflow.await(() -> deadline[0].isCompleted() || condition.apply());
    boolean met = condition.apply();
    if (!deadline[0].isCompleted()) {
      scope.cancel();
      deadline[0].exceptionally(cancelled -> null);
    }
    return met;
  }
}
