package dev.ringmaster.analysis;

import dev.ringmaster.definition.RolloutDefinition.Tripwire;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * One tripwire through one soak, judged check by check (pure): the checks in a row that crossed its {@code failIf}
 * and a tally of the rest. Only a crossing check (FAILED) extends the run; a passing, inconclusive (too few samples) or
 * failed check ends it, so one noisy point never trips, and too little traffic or a source error never does either
 * (the {@code interval} measurements judge those).
 */
public record TripwireRun(Tripwire tripwire, List<MetricVerdict> crossing, int checks, int crossed, int inconclusive, int errors) {
  public TripwireRun {
    crossing = List.copyOf(crossing);
  }

  public static TripwireRun start(Tripwire t) {
    return new TripwireRun(t, List.of(), 0, 0, 0, 0);
  }

  /** The run after one more check, whose reading (or error) {@link GateEvaluator#judge} turned into {@code v}. */
  public TripwireRun after(MetricVerdict v) {
    List<MetricVerdict> run = new ArrayList<>();
    if (v.outcome() == Outcome.FAILED) {
      run.addAll(crossing);
      run.add(v);
    }
    return new TripwireRun(tripwire, run, checks + 1, crossed + (v.outcome() == Outcome.FAILED ? 1 : 0),
        inconclusive + (v.outcome() == Outcome.INCONCLUSIVE ? 1 : 0), errors + (v.outcome() == Outcome.ERROR ? 1 : 0));
  }

  public MetricVerdict judge(MetricReading reading, String error) {
    return GateEvaluator.judge(tripwire.minSamples(), tripwire.asMetric(), reading, error);
  }

  public boolean tripped() {
    return crossing.size() >= tripwire.consecutive();
  }

  /** Why it tripped, with the values that crossed the line: {@code tripwire error-spike: 2 consecutive checks crossed canary > 0.2 (0.31, 0.34)}. */
  public String reason() {
    return "tripwire " + tripwire.name() + ": " + crossing.size() + " consecutive check(s) crossed " + FailCondition.parse(tripwire.failIf())
        + " (canary " + crossing.stream().map(v -> MetricVerdict.fmt(v.canary())).collect(Collectors.joining(", ")) + ")";
  }

  /** The tally for a soak's verdict: {@code error-spike 120 checks, 0 crossed, 3 inconclusive}. */
  public String tally() {
    return tripwire.name() + " " + checks + " checks, " + crossed + " crossed" + (inconclusive > 0 ? ", " + inconclusive + " inconclusive" : "")
        + (errors > 0 ? ", " + errors + " failed to read" : "");
  }
}
