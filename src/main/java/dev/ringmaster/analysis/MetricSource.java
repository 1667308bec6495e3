package dev.ringmaster.analysis;

import dev.ringmaster.definition.RolloutDefinition.Metric;

/**
 * Fetches raw numbers for a metric's canary, control and samples queries. It never judges: that is
 * {@link GateEvaluator}'s job, shared by every source. A query with no data returns null for that number; a source
 * that cannot answer throws.
 */
public interface MetricSource {

  MetricReading read(Metric metric);

  /** Pre-flight when a rollout starts: throw if a query does not parse or the source is unreachable. */
  void check(Metric metric);
}
