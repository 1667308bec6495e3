package dev.ringmaster.pipeline;

import dev.ringmaster.definition.RolloutDefinition.Approval;
import io.temporal.failure.ApplicationFailure;
import java.util.ArrayList;
import java.util.List;

/**
 * What is awaiting approval right now, and the rules an approve/reject must pass. The rules run in the Update
 * validators, so a refused caller gets an immediate, clear answer and nothing lands in the history.
 */
final class ApprovalGate {
  /** Failure types the API maps to HTTP statuses; refusals are non-retryable by nature. */
  static final String NOTHING_AWAITING = "NothingAwaitingApproval";
  static final String STALE = "StaleDecision";
  static final String NOT_AN_APPROVER = "NotAnApprover";
  static final String SELF_APPROVAL = "SelfApproval";
  static final String DUPLICATE = "DuplicateApproval";
  static final String INVALID = "InvalidDecision";

  final String name;
  final Approval spec;
  final List<String> approvedBy = new ArrayList<>();
  Decision rejection;

  ApprovalGate(String name, Approval spec) {
    this.name = name;
    this.spec = spec;
  }

  boolean decided() {
    return rejection != null || approvedBy.size() >= spec.quorum();
  }

  /** @throws ApplicationFailure with one of the types above when the decision may not be taken */
  static void check(ApprovalGate gate, Decision d, String triggeredBy, boolean approving, String whereWeAre) {
    if (d == null || d.by() == null || d.by().isBlank()) {
      throw refuse(INVALID, "a decision must say who takes it ('by')");
    }
    if (gate == null || gate.decided()) {
      throw refuse(NOTHING_AWAITING, "nothing is awaiting approval: the rollout is " + whereWeAre);
    }
    if (d.gate() != null && !d.gate().equals(gate.name)) {
      throw refuse(STALE, "'" + d.gate() + "' is no longer awaiting approval (already decided); now awaiting: " + gate.name);
    }
    boolean allowed = gate.spec.approvers().contains(d.by()) || d.groups().stream().anyMatch(gate.spec.approvers()::contains);
    if (!allowed) {
      throw refuse(NOT_AN_APPROVER, d.by() + " is not an approver for '" + gate.name + "'; approvers: " + String.join(", ", gate.spec.approvers()));
    }
    if (approving && d.by().equals(triggeredBy)) {
      throw refuse(SELF_APPROVAL, d.by() + " triggered this rollout and cannot approve it; ask another approver");
    }
    if (approving && gate.approvedBy.contains(d.by())) {
      throw refuse(DUPLICATE, d.by() + " has already approved '" + gate.name + "'; quorum " + gate.spec.quorum()
          + " needs distinct people (" + gate.approvedBy.size() + " so far)");
    }
  }

  private static ApplicationFailure refuse(String type, String message) {
    return ApplicationFailure.newNonRetryableFailure("[" + type + "] " + message, type);
  }
}
