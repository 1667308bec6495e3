package dev.ringmaster.metrics;

import dev.ringmaster.analysis.Outcome;
import dev.ringmaster.pipeline.Phase;
import dev.ringmaster.pipeline.RingStatus;
import dev.ringmaster.pipeline.RolloutStatus;
import dev.ringmaster.pipeline.State;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Ringmaster's own figures, computed from rollouts' statuses as Temporal keeps them (so a restart forgets nothing): how
 * many rollouts are in each phase and state, rollbacks by reason, approvals awaited and the oldest one's age, gate
 * measurements by verdict, and the DORA figures per service. A pure function of the statuses and the time.
 */
public record RolloutFigures(Map<String, Long> byPhaseAndState, Map<Reason, Long> rollbacks, long approvalsAwaited, double oldestApprovalSeconds,
    Map<Outcome, Long> measurements, Map<String, Dora> dora) {

  /** Why a rollout rolled back, from the reason the workflow recorded. */
  public enum Reason {
    GATE, REJECTION, APPROVAL_TIMEOUT, ABORT, ERROR;

    static Reason of(String rollbackReason) {
      String r = rollbackReason == null ? "" : rollbackReason;
      if (r.startsWith("gates ")) return GATE;
      if (r.startsWith("aborted by ")) return ABORT;
      if (r.contains(" rejected by ")) return REJECTION;
      if (r.startsWith("approval of ") && r.contains(" timed out after ")) return APPROVAL_TIMEOUT;
      return ERROR;
    }

    public String label() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /**
   * DORA figures of one service over its finished rollouts. {@code deploymentsPerDay}: SUCCEEDED rollouts over the last
   * {@link #WINDOW}, per day; {@code leadTimeSeconds}: mean trigger → SUCCEEDED (Ringmaster does not know when a commit
   * was made); {@code changeFailureRate}: ROLLED_BACK / (SUCCEEDED + ROLLED_BACK); {@code timeToRestoreSeconds}: mean
   * rollback start → ROLLED_BACK. NaN where there is nothing to average.
   */
  public record Dora(long succeeded, long rolledBack, double deploymentsPerDay, double leadTimeSeconds, double changeFailureRate,
      double timeToRestoreSeconds) {}

  public static final Duration WINDOW = Duration.ofDays(7);

  public static RolloutFigures of(List<RolloutStatus> rollouts, Instant now) {
    Map<String, Long> byPhaseAndState = new TreeMap<>();
    Map<Reason, Long> rollbacks = new EnumMap<>(Reason.class);
    for (Reason r : Reason.values()) rollbacks.put(r, 0L);
    Map<Outcome, Long> measurements = new EnumMap<>(Outcome.class);
    for (Outcome o : Outcome.values()) measurements.put(o, 0L);
    long awaited = 0;
    double oldest = 0;
    Map<String, long[]> counts = new TreeMap<>(); // service → succeeded, rolledBack, recentSucceeded
    Map<String, double[]> sums = new TreeMap<>(); // service → leadTimeSum, restoreSum, restoreCount
    for (RolloutStatus s : rollouts) {
      byPhaseAndState.merge(s.phase() + "/" + s.state(), 1L, Long::sum);
      if (s.phase() == Phase.AWAITING_APPROVAL && s.awaitingSince() != null) {
        awaited++;
        oldest = Math.max(oldest, Duration.between(s.awaitingSince(), now).toMillis() / 1000.0);
      }
      for (RingStatus ring : s.rings()) {
        if (ring.measurements() != null) ring.measurements().counts().forEach((o, n) -> measurements.merge(o, (long) n, Long::sum));
      }
      long[] c = counts.computeIfAbsent(s.service(), k -> new long[3]);
      double[] t = sums.computeIfAbsent(s.service(), k -> new double[3]);
      if (s.state() == State.SUCCEEDED) {
        c[0]++;
        if (s.updatedAt() != null && !s.updatedAt().isBefore(now.minus(WINDOW))) c[2]++;
        if (s.startedAt() != null && s.updatedAt() != null) t[0] += Duration.between(s.startedAt(), s.updatedAt()).toMillis() / 1000.0;
      } else if (s.state() == State.ROLLED_BACK) {
        c[1]++;
        rollbacks.merge(Reason.of(s.rollbackReason()), 1L, Long::sum);
        if (s.rollbackStartedAt() != null && s.updatedAt() != null) {
          t[1] += Duration.between(s.rollbackStartedAt(), s.updatedAt()).toMillis() / 1000.0;
          t[2]++;
        }
      }
    }
    Map<String, Dora> dora = new TreeMap<>();
    counts.forEach((service, c) -> {
      double[] t = sums.get(service);
      long finished = c[0] + c[1];
      dora.put(service, new Dora(c[0], c[1], c[2] / (double) WINDOW.toDays(), c[0] == 0 ? Double.NaN : t[0] / c[0],
          finished == 0 ? Double.NaN : c[1] / (double) finished, t[2] == 0 ? Double.NaN : t[1] / t[2]));
    });
    return new RolloutFigures(byPhaseAndState, rollbacks, awaited, oldest, measurements, dora);
  }
}
