package dev.ringmaster.analysis;

import dev.ringmaster.definition.RolloutDefinition.Metric;

/**
 * Fetches raw numbers for a metric's canary, control and samples queries. It never judges: that is
 * {@link GateEvaluator}'s job, shared by every source. A query with no data returns null for that number; a source
 * that cannot answer throws.
 */
public interface MetricSource {

  MetricReading read(Metric metric);

  /**
   * A reading for a tripwire check, taken every second or so: it must not block for a window. By default the same as
   * {@link #read} (an instant query); a source whose {@code read} spans a window answers over a sliding one.
   */
  default MetricReading readLatest(Metric metric) {
    return read(metric);
  }

  /** Pre-flight when a rollout starts: throw if a query does not parse or the source is unreachable. */
  void check(Metric metric);
}
