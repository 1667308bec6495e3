package dev.ringmaster.pipeline;

import java.time.Instant;
import java.util.List;

/** The whole state of a rollout, returned by the {@code status} query and {@code GET /api/rollouts/{id}}. */
public record RolloutStatus(
    String id,
    String service,
    String domain,
    String version,
    String previousVersion,
    String previousVersionWhy,
    String flagBefore,
    Phase phase,
    State state,
    int currentRing,
    List<RingStatus> rings,
    List<ApprovalRecord> approvals,
    String awaiting,
    List<String> awaitingApprovers,
    String message,
    String rollbackReason,
    List<String> rollbackSteps,
    boolean pastPointOfNoReturn,
    String triggeredBy,
    String triggeredVia,
    Instant startedAt,
    Instant updatedAt,
    Instant awaitingSince,
    Instant rollbackStartedAt) {

  /** One line of a listing: the same rollout, cut down to what a list shows. */
  public record Summary(String id, String service, String version, Phase phase, State state, String currentRing, String currentAudience,
      String awaiting, String triggeredBy, Instant startedAt, Instant updatedAt) {}

  public Summary summary() {
    return new Summary(id, service, version, phase, state, currentRingName(), currentRing < 0 ? null : rings.get(currentRing).audience(), awaiting,
        triggeredBy, startedAt, updatedAt);
  }

  /** The same status with ring {@code i}'s measurements replaced by {@code live} when it has more of them. */
  public RolloutStatus withMeasurements(int i, dev.ringmaster.analysis.SoakSummary live) {
    RingStatus r = rings.get(i);
    if (live == null || r.state() != RingState.SOAKING || (r.measurements() != null && r.measurements().measurements() >= live.measurements())) return this;
    List<RingStatus> updated = new java.util.ArrayList<>(rings);
    updated.set(i, r.withResult(live, r.verdict()));
    return new RolloutStatus(id, service, domain, version, previousVersion, previousVersionWhy, flagBefore, phase, state, currentRing, List.copyOf(updated),
        approvals, awaiting, awaitingApprovers, message, rollbackReason, rollbackSteps, pastPointOfNoReturn, triggeredBy, triggeredVia, startedAt, updatedAt,
        awaitingSince, rollbackStartedAt);
  }

  /** The ring in progress (or the last one reached), by name; null before the first ring. */
  public String currentRingName() {
    return currentRing < 0 ? null : rings.get(currentRing).name();
  }
}
