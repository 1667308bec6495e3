package dev.ringmaster.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import dev.ringmaster.analysis.Outcome;
import dev.ringmaster.analysis.SoakSummary;
import dev.ringmaster.metrics.RolloutFigures.Reason;
import dev.ringmaster.pipeline.Phase;
import dev.ringmaster.pipeline.RingState;
import dev.ringmaster.pipeline.RingStatus;
import dev.ringmaster.pipeline.RolloutStatus;
import dev.ringmaster.pipeline.State;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The figures of a known sequence of rollouts, each checked by hand. */
class RolloutFiguresTest {
  static final Instant NOW = Instant.parse("2026-12-01T12:00:00Z");

  static RolloutStatus rollout(String service, String version, Phase phase, State state, Instant started, Instant updated, String reason,
      Instant rollbackStarted, Instant awaitingSince, Map<Outcome, Integer> measured) {
    SoakSummary soak = new SoakSummary(measured.values().stream().mapToInt(Integer::intValue).sum(), measured, null, null, List.of());
    return new RolloutStatus("rollout-" + service + "-" + version, service, service, version, null, null, null, phase, state, 0,
        List.of(new RingStatus("canary", "5%", RingState.DONE, null, soak, null)), List.of(), awaitingSince == null ? null : "canary",
        List.of(), "", reason, List.of(), false, "ci", "rest", started, updated, awaitingSince, rollbackStarted);
  }

  static Instant ago(Duration d) {
    return NOW.minus(d);
  }

  @Test
  void aKnownSequence() {
    List<RolloutStatus> all = List.of(
        // checkout: two releases in the last week (30 min and 10 min from trigger to SUCCEEDED), one 10 days ago (60 min),
        // one rolled back by its gate (rollback took 20 s) and one by an abort (40 s): change failure rate 2/5.
        rollout("checkout", "1.0.0", Phase.SUCCEEDED, State.SUCCEEDED, ago(Duration.ofDays(10).plusMinutes(60)), ago(Duration.ofDays(10)), null, null, null,
            Map.of(Outcome.PASSED, 10)),
        rollout("checkout", "1.1.0", Phase.SUCCEEDED, State.SUCCEEDED, ago(Duration.ofHours(5).plusMinutes(30)), ago(Duration.ofHours(5)), null, null, null,
            Map.of(Outcome.PASSED, 6, Outcome.INCONCLUSIVE, 1)),
        rollout("checkout", "1.2.0", Phase.SUCCEEDED, State.SUCCEEDED, ago(Duration.ofHours(2).plusMinutes(10)), ago(Duration.ofHours(2)), null, null, null,
            Map.of(Outcome.PASSED, 4)),
        rollout("checkout", "1.3.0", Phase.ROLLED_BACK, State.ROLLED_BACK, ago(Duration.ofHours(1)), ago(Duration.ofMinutes(40)),
            "gates FAILED in ring canary: 2 consecutive FAILED measurement(s)", ago(Duration.ofMinutes(40).plusSeconds(20)), null,
            Map.of(Outcome.PASSED, 1, Outcome.FAILED, 2)),
        rollout("checkout", "1.4.0", Phase.ROLLED_BACK, State.ROLLED_BACK, ago(Duration.ofMinutes(30)), ago(Duration.ofMinutes(20)),
            "aborted by sre: latency alert", ago(Duration.ofMinutes(20).plusSeconds(40)), null, Map.of()),
        // search: one rejected, one that timed out awaiting approval, one that failed to start; one awaiting approval for 15 min.
        rollout("search", "2.0.0", Phase.ROLLED_BACK, State.ROLLED_BACK, ago(Duration.ofHours(3)), ago(Duration.ofHours(2)),
            "'canary' rejected by alice: p99 too close", ago(Duration.ofHours(2).plusSeconds(10)), null, Map.of(Outcome.PASSED, 3)),
        rollout("search", "2.0.1", Phase.ROLLED_BACK, State.ROLLED_BACK, ago(Duration.ofHours(9)), ago(Duration.ofHours(5)),
            "approval of 'canary' timed out after 4h (onTimeout: rollback)", ago(Duration.ofHours(5).plusSeconds(30)), null, Map.of()),
        rollout("search", "2.0.2", Phase.ROLLED_BACK, State.ROLLED_BACK, ago(Duration.ofHours(1)), ago(Duration.ofHours(1)),
            "CaptureFlagState failed: flag search-v2 was fully released", null, null, Map.of()),
        rollout("search", "2.1.0", Phase.AWAITING_APPROVAL, State.RUNNING, ago(Duration.ofMinutes(30)), ago(Duration.ofMinutes(15)), null, null,
            ago(Duration.ofMinutes(15)), Map.of(Outcome.PASSED, 5, Outcome.ERROR, 1)),
        rollout("search", "2.2.0", Phase.SOAKING, State.PAUSED, ago(Duration.ofMinutes(5)), ago(Duration.ofMinutes(1)), null, null, null,
            Map.of(Outcome.INCONCLUSIVE, 4)));

    RolloutFigures f = RolloutFigures.of(all, NOW);

    assertThat(f.byPhaseAndState()).containsExactlyInAnyOrderEntriesOf(Map.of("SUCCEEDED/SUCCEEDED", 3L, "ROLLED_BACK/ROLLED_BACK", 5L,
        "AWAITING_APPROVAL/RUNNING", 1L, "SOAKING/PAUSED", 1L));
    assertThat(f.rollbacks()).containsExactlyInAnyOrderEntriesOf(Map.of(Reason.GATE, 1L, Reason.ABORT, 1L, Reason.REJECTION, 1L,
        Reason.APPROVAL_TIMEOUT, 1L, Reason.ERROR, 1L));
    assertThat(f.approvalsAwaited()).isEqualTo(1);
    assertThat(f.oldestApprovalSeconds()).isEqualTo(15 * 60.0);
    assertThat(f.measurements()).containsEntry(Outcome.PASSED, 29L).containsEntry(Outcome.FAILED, 2L).containsEntry(Outcome.INCONCLUSIVE, 5L)
        .containsEntry(Outcome.ERROR, 1L);

    RolloutFigures.Dora checkout = f.dora().get("checkout");
    assertThat(checkout.succeeded()).isEqualTo(3);
    assertThat(checkout.rolledBack()).isEqualTo(2);
    assertThat(checkout.deploymentsPerDay()).as("2 in the last 7 days").isEqualTo(2 / 7.0, offset(1e-12));
    assertThat(checkout.leadTimeSeconds()).as("(60 + 30 + 10) min / 3").isEqualTo(100 * 60 / 3.0, offset(1e-9));
    assertThat(checkout.changeFailureRate()).isEqualTo(0.4, offset(1e-12));
    assertThat(checkout.timeToRestoreSeconds()).as("(20 + 40) s / 2").isEqualTo(30.0, offset(1e-9));

    RolloutFigures.Dora search = f.dora().get("search");
    assertThat(search.succeeded()).isZero();
    assertThat(search.rolledBack()).isEqualTo(3);
    assertThat(search.deploymentsPerDay()).isZero();
    assertThat(search.leadTimeSeconds()).as("nothing succeeded").isNaN();
    assertThat(search.changeFailureRate()).isEqualTo(1.0);
    assertThat(search.timeToRestoreSeconds()).as("(10 + 30) s / 2; the failed start has no rollback start").isEqualTo(20.0, offset(1e-9));
  }

  @Test
  void noRolloutsNoFigures() {
    RolloutFigures f = RolloutFigures.of(List.of(), NOW);
    assertThat(f.dora()).isEmpty();
    assertThat(f.approvalsAwaited()).isZero();
    assertThat(f.rollbacks().values()).containsOnly(0L);
  }
}
