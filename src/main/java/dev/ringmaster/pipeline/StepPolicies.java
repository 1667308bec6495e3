package dev.ringmaster.pipeline;

import dev.ringmaster.connection.PermanentFailure;
import io.temporal.activity.ActivityOptions;
import io.temporal.activity.LocalActivityOptions;
import io.temporal.common.RetryOptions;
import java.time.Duration;

/**
 * Every activity's timeouts and retry policy, in one place. Errors an adapter marks as {@link PermanentFailure}
 * (bad credentials, misconfiguration, a refused deploy) are never retried, so the rollout compensates at once.
 * Retry budgets are finite everywhere: a step that keeps failing ends in rollback (forward steps) or in FAILED
 * waiting for an operator (compensations), never in an endless silent retry.
 */
final class StepPolicies {
  private static final String PERMANENT = PermanentFailure.class.getName();

  private StepPolicies() {}

  private static RetryOptions retry(Duration initial, Duration max, int attempts) {
    return RetryOptions.newBuilder()
        .setInitialInterval(initial)
        .setBackoffCoefficient(2)
        .setMaximumInterval(max)
        .setMaximumAttempts(attempts)
        .setDoNotRetry(PERMANENT)
        .build();
  }

  private static ActivityOptions options(Duration startToClose, RetryOptions retry, String summary) {
    return ActivityOptions.newBuilder().setStartToCloseTimeout(startToClose).setRetryOptions(retry).setSummary(summary).build();
  }

  /** Pre-flight checks (gate queries, expand safety): quick, a few tries. */
  static ActivityOptions preflight(String summary) {
    return options(Duration.ofMinutes(2), retry(Duration.ofSeconds(1), Duration.ofSeconds(10), 3), summary);
  }

  /** Long steps heartbeat (see Heartbeats): a worker that dies mid-step is noticed within this, not after 30 minutes. */
  static final Duration LONG_STEP_HEARTBEAT = Duration.ofSeconds(10);

  static ActivityOptions migration(String summary) {
    return ActivityOptions.newBuilder(options(Duration.ofMinutes(30), retry(Duration.ofSeconds(5), Duration.ofMinutes(1), 5), summary))
        .setHeartbeatTimeout(LONG_STEP_HEARTBEAT).build();
  }

  static ActivityOptions captureVersion(String summary) {
    return options(Duration.ofMinutes(2), retry(Duration.ofSeconds(2), Duration.ofSeconds(30), 5), summary);
  }

  /** Deploys wait for readiness inside the activity; a deploy that fails three times is not going to work. */
  static ActivityOptions deploy(String summary) {
    return ActivityOptions.newBuilder(options(Duration.ofMinutes(30), retry(Duration.ofSeconds(10), Duration.ofMinutes(1), 3), summary))
        .setHeartbeatTimeout(LONG_STEP_HEARTBEAT).build();
  }

  static ActivityOptions flagChange(String summary) {
    return options(Duration.ofMinutes(1), retry(Duration.ofSeconds(1), Duration.ofSeconds(30), 10), summary);
  }

  /**
   * A ring's flag change as a local activity (rollouts from this version on): the worker that learns of the approval
   * (or of the soak's end) writes the flag in that same workflow task, with the same timeout and retries as
   * {@link #flagChange}. An approval's Update is then answered once the next ring is enabled.
   */
  static LocalActivityOptions flagChangeLocal(String summary) {
    return LocalActivityOptions.newBuilder().setStartToCloseTimeout(Duration.ofMinutes(1))
        .setRetryOptions(retry(Duration.ofSeconds(1), Duration.ofSeconds(30), 10)).setSummary(summary).build();
  }

  /** The kill switch: short timeout, fast retries; it is the first thing a rollback does and it must be quick. */
  static ActivityOptions killSwitch(String summary) {
    return options(KILL_SWITCH_TIMEOUT, KILL_SWITCH_RETRY, summary);
  }

  private static final Duration KILL_SWITCH_TIMEOUT = Duration.ofSeconds(15);
  private static final RetryOptions KILL_SWITCH_RETRY = retry(Duration.ofMillis(200), Duration.ofSeconds(5), 20);

  /**
   * The kill switch as a local activity (rollouts from this version on): the worker that handles the FAILED verdict
   * calls the provider in the same workflow task, with no round trip through the server to schedule it and no wait
   * for an activity poller. The same timeout and retries; the history records it as a {@code LocalActivity} marker.
   */
  static LocalActivityOptions killSwitchLocal(String summary) {
    return LocalActivityOptions.newBuilder().setStartToCloseTimeout(KILL_SWITCH_TIMEOUT).setRetryOptions(KILL_SWITCH_RETRY)
        .setSummary(summary).build();
  }

  static ActivityOptions measurement(String summary) {
    return options(Duration.ofMinutes(2), retry(Duration.ofSeconds(2), Duration.ofSeconds(20), 3), summary);
  }

  /**
   * Background analysis through a whole soak: one activity that heartbeats. A retried attempt resumes from its last
   * heartbeat (the soak end is absolute), so attempts are unlimited within the soak plus a margin.
   */
  static ActivityOptions watchSoak(Duration soak, Duration interval, String summary) {
    Duration budget = soak.plus(interval.multipliedBy(2)).plus(Duration.ofMinutes(10));
    return ActivityOptions.newBuilder()
        .setScheduleToCloseTimeout(budget)
        .setStartToCloseTimeout(budget)
        // 10 s: a crashed worker's soak moves on within 10 s, and the measurements its heartbeats carry reach the API
        // (GET /api/rollouts/{id}) at least every 8 s (the SDK sends heartbeats at most every 0.8 × this timeout).
        .setHeartbeatTimeout(Duration.ofSeconds(10))
        .setRetryOptions(retry(Duration.ofSeconds(2), Duration.ofSeconds(30), 0))
        .setSummary(summary)
        .build();
  }

  /** Notifications are best effort: a few tries, then the rollout goes on without them. */
  static ActivityOptions notification(String summary) {
    return options(Duration.ofSeconds(30), retry(Duration.ofSeconds(1), Duration.ofSeconds(20), 5), summary);
  }
}
