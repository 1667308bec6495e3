package dev.ringmaster.analysis;

import dev.ringmaster.flags.FlagChange;

/**
 * How a soak ended: PASSED (soaked green to the end), FAILED ({@code failureLimit} consecutive FAILED/ERROR
 * measurements: roll back), INCONCLUSIVE ({@code inconclusiveLimit} consecutive no-data measurements, or a soak that
 * ended without a passing measurement: pause for a human). {@code deciding} is the measurement that decided it.
 * {@code killSwitch}: on a FAILED verdict, the kill switch the soak's watcher pulled right then (null when it pulled
 * none: no flag given, or the provider failed; the workflow's rollback then pulls it).
 */
public record SoakVerdict(Outcome outcome, String reason, Measurement deciding, SoakSummary summary, FlagChange killSwitch) {
  public SoakVerdict(Outcome outcome, String reason, Measurement deciding, SoakSummary summary) {
    this(outcome, reason, deciding, summary, null);
  }

  SoakVerdict withReason(String reason) {
    return new SoakVerdict(outcome, reason, deciding, summary, killSwitch);
  }

  SoakVerdict withKillSwitch(FlagChange change) {
    return new SoakVerdict(outcome, reason, deciding, summary, change);
  }
}
