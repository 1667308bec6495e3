package dev.ringmaster.analysis;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Time for the soak loop. The system clock in production; tests pass a virtual one to soak 24 h in a second. */
public interface SoakClock {
  Instant now();

  /**
   * How often a soak on the system clock wakes to call its heartbeat. The SDK sends a heartbeat at most every 8 s (0.8 ×
   * {@code WatchSoak}'s 10 s heartbeat timeout), and then only if one was called since the last: a call every 4 s keeps
   * every send going. A cancellation arrives with a send's answer and is noticed at the next call, within 4 s.
   * Waking every second instead cost a worker with 1,000 soaks about a tenth of a core, for nothing (BENCHMARKS.md,
   * "Soak heartbeats as soaks age").
   */
  Duration HEARTBEAT_EVERY = Duration.ofSeconds(4);

  /** Sleep until {@code until}, calling {@code heartbeat} at least every {@link #HEARTBEAT_EVERY} (it throws when the activity is cancelled). */
  void sleepUntil(Instant until, Runnable heartbeat) throws InterruptedException;

  /** The same, returning early once {@code wake} completes. A virtual clock may ignore {@code wake}. */
  default void sleepUntil(Instant until, Runnable heartbeat, Future<?> wake) throws InterruptedException {
    sleepUntil(until, heartbeat);
  }

  SoakClock SYSTEM = new SoakClock() {
    @Override
    public Instant now() {
      return Instant.now();
    }

    @Override
    public void sleepUntil(Instant until, Runnable heartbeat) throws InterruptedException {
      sleepUntil(until, heartbeat, new CompletableFuture<Void>()); // never wakes early
    }

    @Override
    public void sleepUntil(Instant until, Runnable heartbeat, Future<?> wake) throws InterruptedException {
      while (!wake.isDone()) {
        heartbeat.run();
        long left = Duration.between(Instant.now(), until).toMillis();
        if (left <= 0) return;
        try {
          wake.get(Math.min(left, HEARTBEAT_EVERY.toMillis()), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException | CancellationException e) {
          // time to heartbeat again, or the wake-up came
        }
      }
    }
  };
}
