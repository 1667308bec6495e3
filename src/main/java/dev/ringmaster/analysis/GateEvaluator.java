package dev.ringmaster.analysis;

import dev.ringmaster.definition.RolloutDefinition.Analysis;
import dev.ringmaster.definition.RolloutDefinition.Metric;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Judging, apart from fetching: pure functions shared by every metric source. {@link #evaluate} turns raw readings
 * into a measurement; {@link #afterMeasurement} and {@link #soakVerdict} count consecutive outcomes through a soak
 * and decide when it ends. Never promotes on silence: no canary data, too few samples or a control without data
 * is INCONCLUSIVE, never a pass (and never a division by zero).
 */
public final class GateEvaluator {
  private GateEvaluator() {}

  /** A soak's consecutive FAILED/ERROR and INCONCLUSIVE counts and its summary; carried in heartbeats across retries. */
  public record Streak(int consecutiveFailures, int consecutiveInconclusive, SoakSummary summary) {
    public static final Streak START = new Streak(0, 0, SoakSummary.EMPTY);
  }

  public static Streak afterMeasurement(Streak s, Measurement m) {
    return new Streak(m.outcome().countsAsFailure() ? s.consecutiveFailures() + 1 : 0,
        m.outcome() == Outcome.INCONCLUSIVE ? s.consecutiveInconclusive() + 1 : 0, s.summary().with(m));
  }

  /**
   * Whether the soak ends with {@code m} ({@code s} already counts it): FAILED at {@code failureLimit}, INCONCLUSIVE at
   * {@code inconclusiveLimit}, and at the soak's end PASSED only on a passing measurement. Null: keep soaking.
   */
  public static SoakVerdict soakVerdict(Analysis a, Streak s, Measurement m, boolean soakOver) {
    if (s.consecutiveFailures() >= a.failureLimit()) {
      return new SoakVerdict(Outcome.FAILED, s.consecutiveFailures() + " consecutive " + m.outcome() + " measurement(s), failureLimit "
          + a.failureLimit(), m, s.summary());
    }
    if (s.consecutiveInconclusive() >= a.inconclusiveLimit()) {
      return new SoakVerdict(Outcome.INCONCLUSIVE, s.consecutiveInconclusive() + " consecutive INCONCLUSIVE measurement(s), inconclusiveLimit "
          + a.inconclusiveLimit(), m, s.summary());
    }
    if (!soakOver) return null;
    return m.outcome() == Outcome.PASSED
        ? new SoakVerdict(Outcome.PASSED, "soaked green: " + s.summary().measurements() + " measurement(s)", m, s.summary())
        : new SoakVerdict(Outcome.INCONCLUSIVE, "soak ended on a " + m.outcome() + " measurement; not promoting without a pass", m, s.summary());
  }

  /** @param readings by metric name; a metric missing here, or mapped to an error text in {@code errors}, is ERROR */
  public static Measurement evaluate(Analysis analysis, Map<String, MetricReading> readings, Map<String, String> errors, Instant at) {
    return evaluate(analysis, readings, errors, at, null);
  }

  /**
   * @param baseline in a ring that reaches everyone, the control each metric last read in an earlier ring: used where
   *     the live control has no data (null: a ring with a flag-off population)
   */
  public static Measurement evaluate(Analysis analysis, Map<String, MetricReading> readings, Map<String, String> errors, Instant at,
      ControlBaseline baseline) {
    List<MetricVerdict> verdicts = new ArrayList<>();
    Outcome overall = Outcome.PASSED;
    for (Metric m : analysis.metrics()) {
      MetricVerdict v = judge(analysis.minSamples(), m, readings.get(m.name()), errors.get(m.name()), baseline);
      verdicts.add(v);
      overall = overall.worst(v.outcome());
    }
    return new Measurement(at, overall, verdicts);
  }

  static MetricVerdict judge(long minSamples, Metric m, MetricReading r, String error) {
    return judge(minSamples, m, r, error, null);
  }

  static MetricVerdict judge(long minSamples, Metric m, MetricReading r, String error, ControlBaseline baseline) {
    ControlBaseline.Reading from = null;
    if (baseline != null && r != null && noData(r.control())) {
      from = baseline.control().get(m.name());
      if (from != null) r = new MetricReading(r.metric(), r.canary(), from.value(), r.samples());
    }
    if (error != null || r == null) {
      return new MetricVerdict(m.name(), null, null, null, m.failIf(), Outcome.ERROR, error == null ? "no reading" : error);
    }
    FailCondition condition = FailCondition.parse(m.failIf());
    Outcome o;
    String reason = null;
    if (noData(r.canary())) {
      o = Outcome.INCONCLUSIVE;
      reason = "canary has no data";
    } else if (m.samples() != null && noData(r.samples())) {
      o = Outcome.INCONCLUSIVE;
      reason = "samples query has no data";
    } else if (m.samples() != null && r.samples() < minSamples) {
      o = Outcome.INCONCLUSIVE;
      reason = "fewer samples than minSamples " + minSamples;
    } else if (condition.againstControl() && noData(r.control())) {
      o = Outcome.INCONCLUSIVE;
      reason = baseline == null ? "control has no data"
          : "control has no data: nobody has the flag off in a ring that reaches everyone, and no earlier ring read a control to hold it to";
    } else {
      double control = r.control() == null ? Double.NaN : r.control();
      o = condition.fails(r.canary(), control) ? Outcome.FAILED : Outcome.PASSED;
      if (from != null && condition.againstControl()) {
        reason = "control from ring " + from.ring() + " at " + from.at() + ": nobody has the flag off in this ring";
      }
    }
    return new MetricVerdict(m.name(), r.canary(), r.control(), r.samples(), condition.toString(), o, reason);
  }

  private static boolean noData(Double d) {
    return d == null || d.isNaN() || d.isInfinite();
  }
}
