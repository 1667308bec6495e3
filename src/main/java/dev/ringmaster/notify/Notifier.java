package dev.ringmaster.notify;

/**
 * Tells people about a rollout (Slack later; the log always). Best effort: a notifier that fails is retried a few
 * times and then ignored, it never blocks or fails a rollout.
 */
public interface Notifier {

  /** Whether this notifier has anything to do for the notification (e.g. Slack only with a channel). */
  boolean handles(Notification notification);

  /**
   * Post or update. {@code threadRef} is what this notifier returned for the rollout's first message (null for the
   * first); returns the reference of the message posted, so updates and thread replies can find it.
   */
  String post(Notification notification, String threadRef);
}
