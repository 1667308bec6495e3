package dev.ringmaster.analysis;

import dev.ringmaster.definition.RolloutDefinition.Analysis;
import java.time.Instant;

/** Watch a ring's soak until {@code soakEndsAt}. An absolute end, so a retried activity resumes the same soak. */
public record SoakRequest(String rolloutId, String ring, Analysis analysis, Instant soakEndsAt) {}
