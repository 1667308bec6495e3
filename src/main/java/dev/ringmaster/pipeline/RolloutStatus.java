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
    Instant startedAt,
    Instant updatedAt) {}
