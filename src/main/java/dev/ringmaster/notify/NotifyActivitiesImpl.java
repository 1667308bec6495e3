package dev.ringmaster.notify;

import dev.ringmaster.TaskQueues;
import io.temporal.spring.boot.ActivityImpl;
import java.util.ArrayList;
import java.util.List;
import org.springframework.stereotype.Component;

@Component
@ActivityImpl(taskQueues = TaskQueues.ROLLOUTS)
class NotifyActivitiesImpl implements NotifyActivities {
  private final List<Notifier> notifiers;

  NotifyActivitiesImpl(List<Notifier> notifiers) {
    this.notifiers = notifiers;
  }

  /** {@code threadRef} holds one reference per notifier, space-separated; each notifier gets and adds its own. */
  @Override
  public String announce(Notification n, String threadRef) {
    List<String> refs = new ArrayList<>(threadRef == null || threadRef.isBlank() ? List.of() : List.of(threadRef.split(" ")));
    for (Notifier notifier : notifiers) {
      if (!notifier.handles(n)) continue;
      String own = refs.stream().filter(r -> r.startsWith(notifier.refPrefix())).findFirst().orElse(null);
      String r = notifier.post(n, own);
      if (own == null && r != null) refs.add(r);
    }
    return refs.isEmpty() ? null : String.join(" ", refs);
  }
}
