package dev.ringmaster.connection;

import io.temporal.activity.Activity;
import io.temporal.activity.ActivityExecutionContext;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Heartbeats for activities that wait on the outside world (a deploy becoming ready, a migration running): while
 * {@code work} runs, a heartbeat every few seconds from a side thread. With a heartbeat timeout on the step, a worker
 * that dies mid-step is noticed within that timeout and the step retried on another worker, instead of after the
 * step's whole start-to-close timeout (30 minutes for a deploy).
 */
public final class Heartbeats {
  static final Duration EVERY = Duration.ofSeconds(3);
  private static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "activity-heartbeats");
    t.setDaemon(true);
    return t;
  });

  private Heartbeats() {}

  public static <T> T whileRunning(Supplier<T> work) {
    ActivityExecutionContext ctx = context();
    if (ctx == null) return work.get();
    var beat = TIMER.scheduleAtFixedRate(() -> {
      try {
        ctx.heartbeat(null);
      } catch (RuntimeException cancelledOrGone) {
        // the activity is being cancelled or has ended: the work itself finds out
      }
    }, 0, EVERY.toMillis(), TimeUnit.MILLISECONDS);
    try {
      return work.get();
    } finally {
      beat.cancel(false);
    }
  }

  /** Which attempt of its activity this is: a retry after a crash is attempt 2 or later (1 outside an activity). */
  public static int attempt() {
    ActivityExecutionContext ctx = context();
    return ctx == null ? 1 : ctx.getInfo().getAttempt();
  }

  private static ActivityExecutionContext context() {
    try {
      return Activity.getExecutionContext();
    } catch (IllegalStateException notInAnActivity) {
      return null; // an adapter called directly (tests, pre-flight tools)
    }
  }
}
