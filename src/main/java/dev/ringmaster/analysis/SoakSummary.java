package dev.ringmaster.analysis;

import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * What a soak measured, kept small for the history: counts per outcome, the last and the worst measurement, and a
 * {@code series} for charts of at most {@link #MAX_POINTS} points and {@link #MAX_VALUES} metric values (when it fills
 * up, each pair of points becomes the worse of the two, so a 24 h soak's thousands of measurements stay a few tens of
 * kilobytes and no failure drops out). The value budget keeps a rollout of many metrics and rings within Temporal's
 * payload limits: the status query, the workflow result and each soak's verdict carry these series.
 */
public record SoakSummary(int measurements, Map<Outcome, Integer> counts, Measurement last, Measurement worst, List<Point> series) {
  public static final int MAX_POINTS = 240;
  public static final int MAX_VALUES = 960;
  public static final SoakSummary EMPTY = new SoakSummary(0, Map.of(), null, null, List.of());

  /** One measurement on a chart: each metric's canary, control and the threshold the canary was held to. */
  public record Point(Instant at, Outcome outcome, List<Value> metrics) {
    public Point {
      metrics = metrics == null ? List.of() : List.copyOf(metrics);
    }

    static Point of(Measurement m) {
      List<Value> values = new ArrayList<>();
      for (MetricVerdict v : m.metrics()) values.add(new Value(v.metric(), finite(v.canary()), finite(v.control()), threshold(v), v.outcome()));
      return new Point(m.at(), m.outcome(), values);
    }
  }

  public record Value(String metric, Double canary, Double control, Double threshold, Outcome outcome) {}

  public SoakSummary {
    counts = Map.copyOf(counts);
    series = series == null ? List.of() : List.copyOf(series); // histories recorded before the series have none
  }

  public SoakSummary with(Measurement m) {
    Map<Outcome, Integer> c = new EnumMap<>(Outcome.class);
    c.putAll(counts);
    c.merge(m.outcome(), 1, Integer::sum);
    Measurement w = worst == null || m.outcome().ordinal() > worst.outcome().ordinal() ? m : worst;
    List<Point> s = series.size() >= maxPoints(m.metrics().size()) ? halved(series) : new ArrayList<>(series);
    s.add(Point.of(m));
    return new SoakSummary(measurements + 1, c, m, w, s);
  }

  /** The same summary with another chart series (heartbeats carry the series apart: {@link SoakBeat}). */
  public SoakSummary withSeries(List<Point> points) {
    return new SoakSummary(measurements, counts, last, worst, points);
  }

  /** How many points a chart of {@code metrics} metrics keeps: 240 up to 4 metrics, then fewer, never under 24. */
  public static int maxPoints(int metrics) {
    return Math.max(24, Math.min(MAX_POINTS, MAX_VALUES / Math.max(1, metrics)));
  }

  /** Each pair of neighbours becomes the worse of the two (the later one on a tie). */
  static List<Point> halved(List<Point> points) {
    List<Point> out = new ArrayList<>(points.size() / 2 + 1);
    for (int i = 0; i < points.size(); i += 2) {
      if (i + 1 == points.size()) {
        out.add(points.get(i));
      } else {
        Point a = points.get(i), b = points.get(i + 1);
        out.add(a.outcome().ordinal() > b.outcome().ordinal() ? a : b);
      }
    }
    return out;
  }

  private static Double threshold(MetricVerdict v) {
    if (v.failIf() == null) return null;
    try {
      FailCondition c = FailCondition.parse(v.failIf());
      if (c.againstControl() && finite(v.control()) == null) return null;
      return finite(c.threshold(c.againstControl() ? v.control() : 0));
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private static Double finite(Double d) {
    return d == null || d.isNaN() || d.isInfinite() ? null : d;
  }
}
