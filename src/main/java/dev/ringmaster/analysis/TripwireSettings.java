package dev.ringmaster.analysis;

import dev.ringmaster.connection.Connection;
import dev.ringmaster.connection.PermanentFailure;
import java.time.Duration;

/**
 * A metric connection's tripwire settings: {@code tripwire-every} (250ms, also the shortest allowed), how often each soak checks
 * its tripwires; {@code tripwire-max-queries} (200), the most tripwire queries per second the connection sends for all the
 * soaks of this Ringmaster process together. A check the cap has no room for is skipped (it neither crosses nor
 * passes), so many soaks at once check less often instead of overloading Prometheus or the service.
 */
public record TripwireSettings(Duration every, int maxQueriesPerSecond) {
  public static final Duration DEFAULT_EVERY = Duration.ofMillis(250);
  public static final Duration MIN_EVERY = Duration.ofMillis(250);
  public static final int DEFAULT_MAX_QUERIES = 200;

  public static TripwireSettings of(Connection c) {
    Duration every;
    try {
      every = c.duration("tripwire-every", DEFAULT_EVERY);
    } catch (IllegalArgumentException e) {
      throw new PermanentFailure("connection '" + c.name() + "': tripwire-every: " + e.getMessage());
    }
    if (every.compareTo(MIN_EVERY) < 0) {
      throw new PermanentFailure("connection '" + c.name() + "': tripwire-every " + every.toMillis() + "ms is shorter than the "
          + MIN_EVERY.toMillis() + "ms a tripwire may check at");
    }
    int max;
    String text = c.setting("tripwire-max-queries").orElse(String.valueOf(DEFAULT_MAX_QUERIES));
    try {
      max = Integer.parseInt(text.strip());
    } catch (NumberFormatException e) {
      throw new PermanentFailure("connection '" + c.name() + "': tripwire-max-queries '" + text + "' is not a whole number of queries per second");
    }
    if (max < 1) throw new PermanentFailure("connection '" + c.name() + "': tripwire-max-queries must be at least 1, not " + max);
    return new TripwireSettings(every, max);
  }
}
