package dev.ringmaster.rollouts;

import java.util.List;

/**
 * A rollout command that was refused, with the reason every entry point turns into its own answer (an HTTP status,
 * an ephemeral Slack message, a CLI exit code) and a message a person can act on.
 */
public class CommandRefused extends RuntimeException {
  public enum Reason {
    INVALID,
    UNAUTHENTICATED,
    FORBIDDEN,
    NOT_FOUND,
    CONFLICT,
    /** Accepted, but no worker has started it yet. */
    PENDING,
    /** It exists, but cannot be read or changed just now (e.g. its worker was replaced a moment ago); ask again. */
    UNAVAILABLE
  }

  private final Reason reason;
  private final List<String> details;

  public CommandRefused(Reason reason, String message, List<String> details) {
    super(message);
    this.reason = reason;
    this.details = List.copyOf(details);
  }

  public CommandRefused(Reason reason, String message) {
    this(reason, message, List.of());
  }

  public Reason reason() {
    return reason;
  }

  public List<String> details() {
    return details;
  }

  static CommandRefused unavailable(String id, String why) {
    return new CommandRefused(Reason.UNAVAILABLE, "rollout " + id + " exists, but its status could not be read just now: " + why,
        List.of("nothing was changed; ask again in a few seconds (a worker that took over a rollout answers once it has replayed it)"));
  }

  static CommandRefused notFound(String id) {
    return new CommandRefused(Reason.NOT_FOUND, "no rollout with id '" + id + "'",
        List.of("rollout IDs look like rollout-<service>-<version>; GET /api/rollouts lists them"));
  }
}
