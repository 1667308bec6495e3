package dev.ringmaster.analysis;

/**
 * How a soak ended: PASSED (soaked green to the end), FAILED ({@code failureLimit} consecutive FAILED/ERROR
 * measurements: roll back), INCONCLUSIVE ({@code inconclusiveLimit} consecutive no-data measurements, or a soak that
 * ended without a passing measurement: pause for a human). {@code deciding} is the measurement that decided it.
 */
public record SoakVerdict(Outcome outcome, String reason, Measurement deciding, SoakSummary summary) {}
