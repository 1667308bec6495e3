package dev.ringmaster.analysis;

import dev.ringmaster.analysis.GateEvaluator.Streak;
import dev.ringmaster.analysis.SoakSummary.Point;
import dev.ringmaster.analysis.SoakSummary.Value;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A soak's {@link Streak} in the form its {@code WatchSoak} heartbeats carry it, every 8 s for the whole soak: the
 * summary without its chart series, and the series in columns ({@link Chart}). As objects, a full series (240 points
 * of one metric) is ~49 KB per heartbeat; in columns, about a quarter of that. With 1,000 soaks hours old, the larger
 * form cost the worker and the test server a fifth of a core more than soaks minutes old (BENCHMARKS.md, "Soak
 * heartbeats as soaks age").
 *
 * <p>Only heartbeats use this form: a soak's verdict, and so the history, keeps its summary as it is. A heartbeat of
 * the older form (a {@code Streak}: the summary with its series, no chart) reads the same, so a soak resumed across an
 * upgrade keeps its chart. What a resumed soak's chart keeps of the points before the resumption: times to the
 * millisecond, values to a float's 7 significant digits; its counts, last and worst measurement are exact.
 */
public record SoakBeat(int consecutiveFailures, int consecutiveInconclusive, SoakSummary summary, Chart chart) {

  public static SoakBeat of(Streak s) {
    Chart chart = Chart.of(s.summary().series());
    return chart == null
        ? new SoakBeat(s.consecutiveFailures(), s.consecutiveInconclusive(), s.summary(), null)
        : new SoakBeat(s.consecutiveFailures(), s.consecutiveInconclusive(), s.summary().withSeries(List.of()), chart);
  }

  public Streak streak() {
    SoakSummary s = summary == null ? SoakSummary.EMPTY : summary;
    return new Streak(consecutiveFailures, consecutiveInconclusive, chart == null ? s : s.withSeries(chart.points()));
  }

  /**
   * A chart series in columns: each point's time (epoch milliseconds) and outcome (one letter: P, I, E, F), and for
   * each metric its name and each point's canary, control and threshold (null: no value) and outcome.
   */
  public record Chart(List<Long> at, String outcomes, List<Column> metrics) {

    /**
     * Null when the points do not all measure the same metrics in the same order, or a value is beyond a float's
     * range (then the summary keeps its series as it is).
     */
    static Chart of(List<Point> series) {
      if (series.isEmpty()) return null;
      List<String> names = series.get(0).metrics().stream().map(Value::metric).toList();
      List<Long> at = new ArrayList<>(series.size());
      StringBuilder outcomes = new StringBuilder(series.size());
      List<Column> columns = new ArrayList<>(names.size());
      List<StringBuilder> metricOutcomes = new ArrayList<>(names.size());
      for (String name : names) {
        columns.add(new Column(name, new ArrayList<>(series.size()), new ArrayList<>(series.size()), new ArrayList<>(series.size()), null));
        metricOutcomes.add(new StringBuilder(series.size()));
      }
      for (Point p : series) {
        if (p.at() == null || p.outcome() == null || p.metrics().size() != names.size()) return null;
        at.add(p.at().toEpochMilli());
        outcomes.append(letter(p.outcome()));
        for (int m = 0; m < names.size(); m++) {
          Value v = p.metrics().get(m);
          if (!names.get(m).equals(v.metric()) || v.outcome() == null || !fits(v.canary()) || !fits(v.control()) || !fits(v.threshold())) return null;
          Column c = columns.get(m);
          c.canary().add(narrow(v.canary()));
          c.control().add(narrow(v.control()));
          c.threshold().add(narrow(v.threshold()));
          metricOutcomes.get(m).append(letter(v.outcome()));
        }
      }
      List<Column> done = new ArrayList<>(names.size());
      for (int m = 0; m < names.size(); m++) {
        Column c = columns.get(m);
        done.add(new Column(c.metric(), c.canary(), c.control(), c.threshold(), metricOutcomes.get(m).toString()));
      }
      return new Chart(at, outcomes.toString(), done);
    }

    List<Point> points() {
      List<Point> points = new ArrayList<>(at.size());
      for (int i = 0; i < at.size(); i++) {
        List<Value> values = new ArrayList<>(metrics.size());
        for (Column c : metrics) {
          values.add(new Value(c.metric(), widen(c.canary().get(i)), widen(c.control().get(i)), widen(c.threshold().get(i)), outcome(c.outcomes().charAt(i))));
        }
        points.add(new Point(Instant.ofEpochMilli(at.get(i)), outcome(outcomes.charAt(i)), values));
      }
      return points;
    }
  }

  /** One metric's values through the series, a point each. */
  public record Column(String metric, List<Float> canary, List<Float> control, List<Float> threshold, String outcomes) {}

  /** Whether a float holds the value to 7 significant digits: no overflow to infinity, no underflow to zero. */
  private static boolean fits(Double d) {
    if (d == null || d == 0) return true;
    double a = Math.abs(d);
    return a <= Float.MAX_VALUE && a >= Float.MIN_NORMAL;
  }

  private static Float narrow(Double d) {
    return d == null ? null : d.floatValue();
  }

  /** The float's shortest decimal (0.0123f reads back as 0.0123, not 0.012299999594688416). */
  private static Double widen(Float f) {
    return f == null ? null : Double.valueOf(Float.toString(f));
  }

  private static char letter(Outcome o) {
    return o.name().charAt(0);
  }

  private static Outcome outcome(char letter) {
    for (Outcome o : Outcome.values()) if (o.name().charAt(0) == letter) return o;
    throw new IllegalArgumentException("no outcome " + letter);
  }
}
