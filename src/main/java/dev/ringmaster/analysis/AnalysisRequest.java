package dev.ringmaster.analysis;

import dev.ringmaster.definition.RolloutDefinition.Analysis;
import dev.ringmaster.flags.FlagTarget;
import java.time.Instant;

/**
 * The gates of one ring (or of the pre-flight): a single measurement, or a soak watched until {@code soakEndsAt}.
 * The soak's end is absolute, so a retried activity resumes the same soak instead of starting a new one.
 * {@code baseline} is set for a ring that reaches everyone (null otherwise, and in histories recorded before it).
 * {@code killSwitch}: the flag a soak turns off for everyone the moment its verdict is FAILED (null: the workflow's
 * rollback does it alone, as in histories recorded before it).
 */
public record AnalysisRequest(String rolloutId, String ring, Analysis analysis, Instant soakEndsAt, ControlBaseline baseline,
    FlagTarget killSwitch) {

  public AnalysisRequest(String rolloutId, String ring, Analysis analysis, Instant soakEndsAt) {
    this(rolloutId, ring, analysis, soakEndsAt, null, null);
  }

  /** One measurement (pre-flight, promotion): no soak end. */
  public static AnalysisRequest once(String rolloutId, String ring, Analysis analysis) {
    return new AnalysisRequest(rolloutId, ring, analysis, null, null, null);
  }
}
