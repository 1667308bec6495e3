package dev.ringmaster.notify;

import java.time.Instant;
import java.util.Map;

/**
 * Something that happened to a rollout that people should hear about. Carries no secrets. {@code details} adds
 * structured facts for rich messages (for APPROVAL_REQUESTED: gate, ringReached, nextRing, approvers, quorum,
 * deadline, triggeredBy, soak); empty when there are none.
 */
public record Notification(
    String rolloutId, String service, String version, Kind kind, String text, String slackChannel, Instant at,
    Map<String, String> details) {

  public Notification {
    details = details == null ? Map.of() : Map.copyOf(details);
  }

  /** The notification as one log line: what the log notifier writes, and the workflow when the log is all there is. */
  public String logLine() {
    return "[" + rolloutId + "] " + kind + " " + service + "@" + version + ": " + text;
  }

  public enum Kind {
    STARTED,
    RING_ENABLED,
    APPROVAL_REQUESTED,
    APPROVAL_DECIDED,
    PAUSED,
    ROLLBACK_STARTED,
    ROLLED_BACK,
    COMPENSATION_FAILED,
    SUCCEEDED
  }
}
