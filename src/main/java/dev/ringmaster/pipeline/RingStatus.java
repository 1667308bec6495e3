package dev.ringmaster.pipeline;

import dev.ringmaster.analysis.SoakSummary;
import java.time.Instant;

/** A ring in the status: its cumulative audience, where it stands, when its soak ends, what its gates measured. */
public record RingStatus(String name, String audience, String state, Instant soakEndsAt, SoakSummary measurements, String verdict) {}
