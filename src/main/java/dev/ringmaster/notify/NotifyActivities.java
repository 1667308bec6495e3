package dev.ringmaster.notify;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

@ActivityInterface
public interface NotifyActivities {
  /** Returns the thread reference to pass with later notifications of the same rollout. */
  @ActivityMethod(name = "Notify")
  String announce(Notification notification, String threadRef);
}
