package dev.ringmaster.notify;

/**
 * Tells people about a rollout (Slack later; the log always). Best effort: a notifier that fails is retried a few
 * times and then ignored, it never blocks or fails a rollout.
 */
public interface Notifier {

  /** How this notifier's references start ({@code slack:}); a rollout's thread reference holds one per notifier. */
  String refPrefix();

  /** Whether this notifier has anything to do for the notification (e.g. Slack only with a channel). */
  boolean handles(Notification notification);

  /**
   * Post or update. {@code threadRef} is what this notifier returned for the rollout's first message (null until
   * then); returns the reference to keep (the thread's), so later messages of the rollout can find it.
   */
  String post(Notification notification, String threadRef);
}
