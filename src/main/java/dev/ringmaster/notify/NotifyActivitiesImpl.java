package dev.ringmaster.notify;

import dev.ringmaster.pipeline.TaskQueues;
import io.temporal.spring.boot.ActivityImpl;
import java.util.List;
import org.springframework.stereotype.Component;

@Component
@ActivityImpl(taskQueues = TaskQueues.ROLLOUTS)
class NotifyActivitiesImpl implements NotifyActivities {
  private final List<Notifier> notifiers;

  NotifyActivitiesImpl(List<Notifier> notifiers) {
    this.notifiers = notifiers;
  }

  @Override
  public String announce(Notification n, String threadRef) {
    String ref = threadRef;
    for (Notifier notifier : notifiers) {
      if (notifier.handles(n)) {
        String r = notifier.post(n, threadRef);
        if (ref == null) ref = r;
      }
    }
    return ref;
  }
}
