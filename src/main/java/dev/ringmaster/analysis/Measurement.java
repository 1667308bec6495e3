package dev.ringmaster.analysis;

import java.time.Instant;
import java.util.List;
import java.util.stream.Collectors;

/** One evaluation of every metric at one moment. */
public record Measurement(Instant at, Outcome outcome, List<MetricVerdict> metrics) {
  public Measurement {
    metrics = List.copyOf(metrics);
  }

  public String describe() {
    return outcome + ": " + metrics.stream().map(MetricVerdict::toString).collect(Collectors.joining("; "));
  }
}
