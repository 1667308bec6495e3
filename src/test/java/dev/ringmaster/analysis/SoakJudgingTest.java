package dev.ringmaster.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ringmaster.analysis.GateEvaluator.Streak;
import dev.ringmaster.definition.RolloutDefinition.Analysis;
import dev.ringmaster.definition.RolloutDefinition.Metric;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The soak's judging, apart from fetching and sleeping: a sequence of measurement outcomes (P passed, F failed,
 * E error, I inconclusive) through one soak, and how (and after which measurement) it ends.
 */
class SoakJudgingTest {
  static final Metric METRIC = new Metric("error-rate", "c", "k", null, "canary > 0.01");

  @ParameterizedTest(name = "failureLimit {0}, inconclusiveLimit {1}: {2} → {3} after {4}")
  @CsvSource({
      // limits  outcomes (the last one ends the soak)  verdict       measurements when it ended
      "2, 3, PPPP,   PASSED,       4",
      "2, 3, PFPFP,  PASSED,       5",   // failures that never run consecutively do not roll back
      "2, 3, PFF,    FAILED,       3",
      "1, 3, PPF,    FAILED,       3",
      "2, 3, PEF,    FAILED,       3",   // a source error counts toward failureLimit with a failure
      "2, 3, EE,     FAILED,       2",
      "2, 3, IIP,    PASSED,       3",
      "2, 3, III,    INCONCLUSIVE, 3",
      "2, 3, IIFIP,  PASSED,       5",   // a failure breaks the inconclusive streak
      "2, 3, PPPI,   INCONCLUSIVE, 4",   // the soak ends on no data: never promoted on silence
      "2, 3, PPPF,   INCONCLUSIVE, 4",   // ends on one failure under the limit: a human decides
      "2, 3, FFPP,   FAILED,       2",   // rolls back mid-soak, the rest is never measured
  })
  void consecutiveOutcomesDecideHowASoakEnds(int failureLimit, int inconclusiveLimit, String outcomes, Outcome expected, int endedAfter) {
    Analysis a = new Analysis("prom", Duration.ofSeconds(30), failureLimit, inconclusiveLimit, 0, List.of(METRIC));
    Streak streak = Streak.START;
    SoakVerdict verdict = null;
    int measured = 0;
    for (int i = 0; i < outcomes.length() && verdict == null; i++) {
      Measurement m = measurement(outcomes.charAt(i), i);
      streak = GateEvaluator.afterMeasurement(streak, m);
      measured++;
      verdict = GateEvaluator.soakVerdict(a, streak, m, i == outcomes.length() - 1);
    }
    assertThat(verdict).as("the soak ended").isNotNull();
    assertThat(verdict.outcome()).isEqualTo(expected);
    assertThat(measured).isEqualTo(endedAfter);
    assertThat(verdict.summary().measurements()).isEqualTo(endedAfter);
  }

  @ParameterizedTest(name = "{0} then {1} → failures {2}, inconclusive {3}")
  @CsvSource({
      "PASSED,       FAILED,       1, 0",
      "FAILED,       ERROR,        2, 0",
      "FAILED,       PASSED,       0, 0",
      "INCONCLUSIVE, INCONCLUSIVE, 0, 2",
      "INCONCLUSIVE, ERROR,        1, 0",
  })
  void streaksCountOnlyConsecutiveOutcomes(Outcome first, Outcome second, int failures, int inconclusive) {
    Streak s = GateEvaluator.afterMeasurement(GateEvaluator.afterMeasurement(Streak.START, new Measurement(Instant.EPOCH, first, List.of())),
        new Measurement(Instant.EPOCH, second, List.of()));
    assertThat(s.consecutiveFailures()).isEqualTo(failures);
    assertThat(s.consecutiveInconclusive()).isEqualTo(inconclusive);
    assertThat(s.summary().measurements()).isEqualTo(2);
  }

  private static Measurement measurement(char c, int i) {
    Outcome o = switch (c) {
      case 'P' -> Outcome.PASSED;
      case 'F' -> Outcome.FAILED;
      case 'E' -> Outcome.ERROR;
      case 'I' -> Outcome.INCONCLUSIVE;
      default -> throw new IllegalArgumentException("outcome letter " + c);
    };
    return new Measurement(Instant.EPOCH.plusSeconds(30L * i), o, List.of());
  }

  /** The watcher pulls the kill switch on a FAILED verdict with a flag to pull, and on nothing else. */
  @org.junit.jupiter.api.Test
  void theKillSwitchIsPulledAtAFailedVerdictOnly() {
    var flag = new dev.ringmaster.flags.FlagTarget("flags", "new-checkout-flow", "r", "team", null);
    var off = new dev.ringmaster.flags.FlagChange("new-checkout-flow", "kill switch", "nobody", "ref-1", Duration.ofMillis(3));
    java.util.List<dev.ringmaster.flags.FlagTarget> pulled = new java.util.ArrayList<>();
    dev.ringmaster.flags.KillSwitch recording = f -> {
      pulled.add(f);
      return off;
    };
    Analysis a = new Analysis("prom", Duration.ofSeconds(30), 1, 1, 0, List.of(METRIC));
    AnalysisRequest withFlag = new AnalysisRequest("r", "canary", a, Instant.EPOCH, null, flag);
    SoakVerdict failed = new SoakVerdict(Outcome.FAILED, "2 consecutive FAILED", measurement('F', 0), SoakSummary.EMPTY);

    assertThat(AnalysisActivitiesImpl.pullOnFailure(recording, withFlag, failed).killSwitch()).isEqualTo(off);
    assertThat(pulled).containsExactly(flag);
    for (char o : "PI".toCharArray()) {
      SoakVerdict v = new SoakVerdict(o == 'P' ? Outcome.PASSED : Outcome.INCONCLUSIVE, "r", measurement(o, 0), SoakSummary.EMPTY);
      assertThat(AnalysisActivitiesImpl.pullOnFailure(recording, withFlag, v)).isSameAs(v);
    }
    assertThat(AnalysisActivitiesImpl.pullOnFailure(recording, new AnalysisRequest("r", "canary", a, Instant.EPOCH), failed))
        .as("no flag given: the rollback pulls it").isSameAs(failed);
    assertThat(pulled).hasSize(1);
    dev.ringmaster.flags.KillSwitch down = f -> {
      throw new IllegalStateException("Unleash answered 503");
    };
    assertThat(AnalysisActivitiesImpl.pullOnFailure(down, withFlag, failed)).as("a provider failure: the verdict goes as it was")
        .isSameAs(failed);
  }
}
