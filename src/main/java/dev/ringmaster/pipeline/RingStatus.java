package dev.ringmaster.pipeline;

import dev.ringmaster.analysis.SoakSummary;
import java.time.Instant;

/** A ring in the status: its cumulative audience, where it stands, when its soak ends, what its gates measured. */
public record RingStatus(String name, String audience, RingState state, Instant soakEndsAt, SoakSummary measurements, String verdict) {

  RingStatus withState(RingState s) {
    return new RingStatus(name, audience, s, soakEndsAt, measurements, verdict);
  }

  RingStatus withSoakEndsAt(Instant endsAt) {
    return new RingStatus(name, audience, state, endsAt, measurements, verdict);
  }

  /** A soak's outcome; a null summary keeps the measurements already recorded. */
  RingStatus withResult(SoakSummary summary, String verdictText) {
    return new RingStatus(name, audience, state, soakEndsAt, summary == null ? measurements : summary, verdictText);
  }
}
