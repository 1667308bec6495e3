package dev.ringmaster.analysis;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a ring that reaches everyone compares its canary with. Nobody has the flag off there, so a {@code control}
 * query has no data, and a gate such as {@code canary > control + 0.001} would be INCONCLUSIVE at every measurement
 * (the rollout would pause for a human at its last ring). Instead each such metric is held to the control it last
 * read in an earlier ring: the flag-off population just before it went away. Live control data, where there still is
 * some, is used first. {@code control} is keyed by metric name; a metric with no earlier reading is missing from it.
 */
public record ControlBaseline(Map<String, Reading> control) {
  /** The control value one metric last read, in which ring and when. */
  public record Reading(double value, String ring, Instant at) {}

  public ControlBaseline {
    control = Map.copyOf(control);
  }

  /**
   * From the earlier rings' soak summaries, oldest first (a ring that measured nothing maps to null): for each
   * metric, the latest finite control reading, from the latest ring that has one.
   */
  public static ControlBaseline of(List<String> metrics, Map<String, SoakSummary> earlierRings) {
    List<Map.Entry<String, SoakSummary>> rings = List.copyOf(new LinkedHashMap<>(earlierRings).entrySet());
    Map<String, Reading> found = new LinkedHashMap<>();
    for (String metric : metrics) {
      for (int r = rings.size() - 1; r >= 0 && !found.containsKey(metric); r--) {
        Reading latest = latest(metric, rings.get(r).getKey(), rings.get(r).getValue());
        if (latest != null) found.put(metric, latest);
      }
    }
    return new ControlBaseline(found);
  }

  private static Reading latest(String metric, String ring, SoakSummary s) {
    if (s == null) return null;
    if (s.last() != null) {
      for (MetricVerdict v : s.last().metrics()) {
        if (v.metric().equals(metric) && finite(v.control())) return new Reading(v.control(), ring, s.last().at());
      }
    }
    for (int i = s.series().size() - 1; i >= 0; i--) {
      SoakSummary.Point p = s.series().get(i);
      for (SoakSummary.Value v : p.metrics()) {
        if (v.metric().equals(metric) && finite(v.control())) return new Reading(v.control(), ring, p.at());
      }
    }
    return null;
  }

  private static boolean finite(Double d) {
    return d != null && !d.isNaN() && !d.isInfinite();
  }
}
