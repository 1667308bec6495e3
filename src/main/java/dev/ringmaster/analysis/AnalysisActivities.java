package dev.ringmaster.analysis;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

@ActivityInterface
public interface AnalysisActivities {
  /** Pre-flight when a rollout starts: every query runs once, so a typo fails the start, not ring 2. */
  @ActivityMethod(name = "CheckGates")
  void checkGates(AnalysisRequest request);

  /** One measurement of every metric, judged. */
  @ActivityMethod(name = "MeasureGates")
  Measurement measureGates(AnalysisRequest request);

  /**
   * Background analysis for a whole soak: measures every interval inside one long, heartbeating activity, so a
   * 24 h soak adds a handful of history events, not one per measurement. Returns early on a limit.
   */
  @ActivityMethod(name = "WatchSoak")
  SoakVerdict watchSoak(AnalysisRequest request);
}
