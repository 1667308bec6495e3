package dev.ringmaster.pipeline;

import java.time.Instant;

/** A recorded decision: which gate (a ring name or {@code contract}), who, how, when, and what they said. */
public record ApprovalRecord(String gate, String by, String decision, String source, String comment, Instant at) {}
