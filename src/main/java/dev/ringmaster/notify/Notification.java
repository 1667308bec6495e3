package dev.ringmaster.notify;

import java.time.Instant;

/** Something that happened to a rollout that people should hear about. Carries no secrets. */
public record Notification(
    String rolloutId, String service, String version, Kind kind, String text, String slackChannel, Instant at) {

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
