package dev.ringmaster.pipeline;

import dev.ringmaster.analysis.AnalysisRequest;
import dev.ringmaster.analysis.ControlBaseline;
import dev.ringmaster.analysis.Measurement;
import dev.ringmaster.analysis.Outcome;
import dev.ringmaster.analysis.SoakVerdict;
import dev.ringmaster.definition.Durations;
import dev.ringmaster.definition.RolloutDefinition.Analysis;
import dev.ringmaster.definition.RolloutDefinition.Ring;
import io.temporal.workflow.Async;
import io.temporal.workflow.CancellationScope;
import io.temporal.workflow.Promise;
import io.temporal.workflow.TimerOptions;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.time.Instant;

/**
 * Soaking one ring: a plain timer, or background analysis in one heartbeating activity ({@code WatchSoak}). An abort,
 * a pause or a promotion interrupts it; a pause keeps the time left, a promotion runs the gates once. A FAILED verdict
 * rolls back; an INCONCLUSIVE one pauses for a human, never promotes.
 */
final class Soak {
  private final RolloutRequest request;
  private final RolloutState st;
  private final Steps steps;
  private final OperatorRequests operator;

  Soak(RolloutRequest request, RolloutState st, Steps steps, OperatorRequests operator) {
    this.request = request;
    this.st = st;
    this.steps = steps;
    this.operator = operator;
  }

  /** @param baseline for a ring that reaches everyone, the control its gates are held to (null otherwise) */
  void run(int i, Ring ring, Analysis analysis, ControlBaseline baseline) {
    Instant endsAt = now().plus(ring.soak());
    while (true) {
      st.soak(i, endsAt);
      st.phase(Phase.SOAKING, "ring " + ring.name() + " soaking until " + endsAt + (analysis == null ? "" : " with gates every " + Durations.format(analysis.interval())));
      Duration left = positive(Duration.between(now(), endsAt));
      AnalysisRequest watch = new AnalysisRequest(request.rolloutId(), ring.name(), analysis, endsAt, baseline, steps.flag());
      Promise<SoakVerdict>[] soak = new Promise[1];
      CancellationScope scope = Workflow.newCancellationScope(() -> soak[0] = analysis == null
          ? Workflow.newTimer(left, TimerOptions.newBuilder().setSummary("soak ring " + ring.name() + " for " + Durations.format(left)).build()).thenApply(v -> null)
          : Async.function(steps.soakWatcher(ring.name(), left, analysis)::watchSoak, watch));
      scope.run();
      Workflow.await(() -> soak[0].isCompleted() || operator.abortedBy != null || operator.pauseBy != null || operator.promoteBy != null);
      if (soak[0].isCompleted()) {
        if (judged(i, ring, analysis, soak[0].get())) return;
        endsAt = later(endsAt, now().plus(analysis.interval()));
        continue;
      }
      scope.cancel();
      soak[0].exceptionally(cancelled -> null); // the cancelled soak's failure is expected: consume it (no "never accessed" warning)
      operator.checkAbort();
      if (operator.pauseBy != null) {
        Duration remaining = positive(Duration.between(now(), endsAt));
        operator.holdPaused("paused by " + operator.pauseBy.by() + " while soaking ring " + ring.name());
        endsAt = now().plus(analysis == null ? remaining : later(remaining, analysis.interval()));
        continue;
      }
      if (promoted(i, ring, analysis, baseline, operator.takePromotion())) return;
    }
  }

  /** The soak ended by itself: true when the ring may go on; rolls back on FAILED, holds paused on INCONCLUSIVE. */
  private boolean judged(int i, Ring ring, Analysis analysis, SoakVerdict v) {
    if (v == null) {
      st.soakResult(i, null, "soaked " + Durations.format(ring.soak()));
      return true;
    }
    st.soakResult(i, v.summary(), v.outcome() + ": " + v.reason());
    if (v.outcome() == Outcome.PASSED) return true;
    String detail = "gates " + v.outcome() + " in ring " + ring.name() + ": " + v.reason() + " — " + v.deciding().describe();
    if (v.outcome() == Outcome.FAILED) {
      if (v.killSwitch() != null) steps.killSwitchPulledAtVerdict(v.killSwitch());
      throw new RollbackRequested(detail);
    }
    operator.holdPaused(detail + "; resume to keep soaking, or abort");
    return false;
  }

  /** An operator ended the soak early: without gates it is done; with gates they run once and must pass. */
  private boolean promoted(int i, Ring ring, Analysis analysis, ControlBaseline baseline, OperatorAction promotion) {
    if (analysis == null) {
      st.soakResult(i, null, "promoted by " + promotion.by() + " before the soak ended");
      return true;
    }
    Measurement m = steps.measureGates(ring.name(), analysis, baseline);
    if (m.outcome() == Outcome.PASSED) {
      st.soakResult(i, null, "promoted by " + promotion.by() + "; gates ran once: " + m.describe());
      return true;
    }
    st.soakResult(i, null, "promotion by " + promotion.by() + " refused, the soak goes on: " + m.describe());
    return false;
  }

  private static Instant now() {
    return RolloutState.now();
  }

  private static Duration positive(Duration d) {
    return d.isNegative() ? Duration.ZERO : d;
  }

  private static <T extends Comparable<T>> T later(T a, T b) {
    return a.compareTo(b) >= 0 ? a : b;
  }
}
