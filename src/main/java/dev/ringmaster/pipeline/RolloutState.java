package dev.ringmaster.pipeline;

import dev.ringmaster.analysis.SoakSummary;
import dev.ringmaster.definition.Audience;
import dev.ringmaster.definition.RolloutDefinition.Ring;
import io.temporal.workflow.Workflow;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The workflow's bookkeeping behind the {@code status} query: plain mutable fields, updated by the workflow
 * thread only, and the phase mirrored into the {@code RolloutPhase} search attribute and the workflow's current
 * details (shown on the Temporal UI's workflow page).
 */
final class RolloutState {
  private final RolloutRequest request;
  private final List<Ring> rings;
  private final String[] ringState;
  private final String[] ringAudience;
  private final Instant[] soakEndsAt;
  private final SoakSummary[] summaries;
  private final String[] verdicts;
  final List<ApprovalRecord> approvals = new ArrayList<>();
  final List<String> rollbackSteps = new ArrayList<>();
  Phase phase = Phase.STARTING;
  State state = State.RUNNING;
  int currentRing = -1;
  String previousVersion;
  String awaiting;
  /** The approvers (people and groups) of what is awaiting approval; empty when nothing is. */
  List<String> awaitingApprovers = List.of();
  String message = "starting";
  String rollbackReason;
  boolean pastPointOfNoReturn;
  private final Instant startedAt;
  private Instant updatedAt;

  RolloutState(RolloutRequest request) {
    this.request = request;
    this.rings = request.definition().spec().rings();
    int n = rings.size();
    ringState = new String[n];
    ringAudience = new String[n];
    soakEndsAt = new Instant[n];
    summaries = new SoakSummary[n];
    verdicts = new String[n];
    Audience cumulative = Audience.NOBODY;
    for (int i = 0; i < n; i++) {
      cumulative = cumulative.union(rings.get(i).audience());
      ringAudience[i] = cumulative.describe();
      ringState[i] = "PENDING";
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

  void ring(int i, String s) {
    currentRing = Math.max(currentRing, i);
    ringState[i] = s;
    updatedAt = now();
  }

  void soak(int i, Instant endsAt) {
    soakEndsAt[i] = endsAt;
  }

  void soakResult(int i, SoakSummary summary, String verdict) {
    if (summary != null) summaries[i] = summary;
    verdicts[i] = verdict;
  }

  void ringsRolledBack() {
    for (int i = 0; i < ringState.length; i++) {
      if (!"PENDING".equals(ringState[i])) ringState[i] = "ROLLED_BACK";
    }
  }

  RolloutStatus snapshot() {
    List<RingStatus> rs = new ArrayList<>();
    for (int i = 0; i < rings.size(); i++) {
      rs.add(new RingStatus(rings.get(i).name(), ringAudience[i], ringState[i], soakEndsAt[i], summaries[i], verdicts[i]));
    }
    var md = request.definition().metadata();
    return new RolloutStatus(request.rolloutId(), md.service(), md.domain(), request.version(), previousVersion, phase, state,
        currentRing, rs, List.copyOf(approvals), awaiting, awaiting == null ? List.of() : List.copyOf(awaitingApprovers), message, rollbackReason, List.copyOf(rollbackSteps),
        pastPointOfNoReturn, request.triggeredBy(), startedAt, updatedAt);
  }

  private static Instant now() {
    return Instant.ofEpochMilli(Workflow.currentTimeMillis());
  }
}
