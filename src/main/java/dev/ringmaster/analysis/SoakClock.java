package dev.ringmaster.analysis;

import java.time.Duration;
import java.time.Instant;

/** Time for the soak loop. The system clock in production; tests pass a virtual one to soak 24 h in a second. */
public interface SoakClock {
  Instant now();

  /** Sleep until {@code until}, calling {@code heartbeat} at least every second (it throws when the activity is cancelled). */
  void sleepUntil(Instant until, Runnable heartbeat) throws InterruptedException;

  SoakClock SYSTEM = new SoakClock() {
    @Override
    public Instant now() {
      return Instant.now();
    }

    @Override
    public void sleepUntil(Instant until, Runnable heartbeat) throws InterruptedException {
      while (true) {
        heartbeat.run();
        long left = Duration.between(Instant.now(), until).toMillis();
        if (left <= 0) return;
        Thread.sleep(Math.min(left, 1000));
      }
    }
  };
}
