package dev.ringmaster.pipeline;

import dev.ringmaster.analysis.ControlBaseline;
import dev.ringmaster.analysis.SoakSummary;
import dev.ringmaster.definition.Audience;
import dev.ringmaster.definition.RolloutDefinition.Ring;
import io.temporal.workflow.Workflow;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The workflow's bookkeeping behind the {@code status} query, updated by the workflow thread only: one
 * {@link RingStatus} per ring, the phase mirrored into the {@code RolloutPhase} search attribute and the workflow's
 * current details (shown on the Temporal UI's workflow page).
 */
final class RolloutState {
  private final RolloutRequest request;
  private final List<RingStatus> rings = new ArrayList<>();
  final List<ApprovalRecord> approvals = new ArrayList<>();
  final List<String> rollbackSteps = new ArrayList<>();
  /** The flag as this rollout found it (CaptureFlagState), what a rollback puts back. */
  String flagBefore;
  Phase phase = Phase.STARTING;
  State state = State.RUNNING;
  int currentRing = -1;
  String previousVersion;
  /** How the rollback target was chosen, when the deploy target and the last successful rollout disagree. */
  String previousVersionWhy;
  String awaiting;
  /** The approvers (people and groups) of what is awaiting approval; empty when nothing is. */
  List<String> awaitingApprovers = List.of();
  String message = "starting";
  String rollbackReason;
  /** Workflow time the awaited approval was asked for, and the rollback began (for its age and time to restore). */
  Instant awaitingSince;
  Instant rollbackStartedAt;
  boolean pastPointOfNoReturn;
  private final Instant startedAt;
  private Instant updatedAt;

  RolloutState(RolloutRequest request) {
    this.request = request;
    Audience cumulative = Audience.NOBODY;
    for (Ring ring : request.definition().spec().rings()) {
      cumulative = cumulative.union(ring.audience());
      rings.add(new RingStatus(ring.name(), cumulative.describe(), RingState.PENDING, null, null, null));
    }
    startedAt = now();
    updatedAt = startedAt;
  }

  void phase(Phase p, String msg) {
    phase = p;
    message = msg;
    updatedAt = now();
    Workflow.upsertTypedSearchAttributes(RolloutSearchAttributes.PHASE.valueSet(p.name()));
    Workflow.setCurrentDetails("**" + p + "** — " + msg);
  }

  void note(String msg) {
    message = msg;
    updatedAt = now();
    Workflow.setCurrentDetails("**" + phase + (state == State.RUNNING ? "" : " (" + state + ")") + "** — " + msg);
  }

  void state(State s, String msg) {
    state = s;
    note(msg);
  }

  void ring(int i, RingState s) {
    currentRing = Math.max(currentRing, i);
    rings.set(i, rings.get(i).withState(s));
    updatedAt = now();
  }

  RingStatus ring(int i) {
    return rings.get(i);
  }

  void soak(int i, Instant endsAt) {
    rings.set(i, rings.get(i).withSoakEndsAt(endsAt));
  }

  /** For ring {@code i}, which reaches everyone: the control each metric last read in the rings before it. */
  ControlBaseline controlBaseline(int i, List<String> metrics) {
    Map<String, SoakSummary> earlier = new LinkedHashMap<>();
    for (RingStatus r : rings.subList(0, i)) earlier.put(r.name(), r.measurements());
    return ControlBaseline.of(metrics, earlier);
  }

  void soakResult(int i, SoakSummary summary, String verdict) {
    rings.set(i, rings.get(i).withResult(summary, verdict));
  }

  void ringsRolledBack() {
    rings.replaceAll(r -> r.state() == RingState.PENDING ? r : r.withState(RingState.ROLLED_BACK));
  }

  RolloutStatus snapshot() {
    var md = request.definition().metadata();
    return new RolloutStatus(request.rolloutId(), md.service(), md.domain(), request.version(), previousVersion, previousVersionWhy, flagBefore, phase, state,
        currentRing, List.copyOf(rings), List.copyOf(approvals), awaiting, awaiting == null ? List.of() : List.copyOf(awaitingApprovers),
        message, rollbackReason, List.copyOf(rollbackSteps), pastPointOfNoReturn, request.triggeredBy(), request.triggeredVia(), startedAt, updatedAt,
        awaiting == null ? null : awaitingSince, rollbackStartedAt);
  }

  static Instant now() {
    return Instant.ofEpochMilli(Workflow.currentTimeMillis());
  }
}
