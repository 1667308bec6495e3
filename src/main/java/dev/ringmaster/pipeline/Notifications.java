package dev.ringmaster.pipeline;

import dev.ringmaster.notify.Notification;
import dev.ringmaster.notify.NotifyActivities;
import io.temporal.workflow.Async;
import io.temporal.workflow.Promise;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;

/**
 * Notifications of one rollout: best effort and asynchronous, so a slow or failing notifier never delays the
 * rollout, least of all the kill switch. Keeps the thread reference every notifier returned, so later messages land
 * in the same thread.
 *
 * <p>A rollout whose definition names no Slack channel has no one to reach but the log (the only notifier that handles
 * it, see {@code LogNotifier}): its notifications are logged by the workflow itself, through Temporal's replay-aware
 * logger, with no activity. Each of them cost an activity task and a workflow task for its completion, two of each
 * on every approval's way to the next ring. Histories from before replay their {@code Notify} activities.
 */
final class Notifications {
  private static final Logger log = Workflow.getLogger("ringmaster.rollouts");
  private static final int NOT_READ = Integer.MIN_VALUE;
  private final RolloutRequest request;
  private final List<Promise<String>> pending = new ArrayList<>();
  private String threadRef;
  private int logInWorkflowVersion = NOT_READ;

  Notifications(RolloutRequest request) {
    this.request = request;
  }

  void send(Notification.Kind kind, String text) {
    send(kind, text, Map.of());
  }

  void send(Notification.Kind kind, String text, Map<String, String> details) {
    var md = request.definition().metadata();
    var notify = request.definition().spec().notifications();
    String channel = notify == null || notify.slack() == null ? null : notify.slack().channel();
    Notification n = new Notification(request.rolloutId(), md.service(), request.version(), kind, text, channel, RolloutState.now(), details);
    if (channel == null && logsInWorkflow()) {
      log.info("{}", n.logLine());
      return;
    }
    NotifyActivities notifier = Workflow.newActivityStub(NotifyActivities.class, StepPolicies.notification("notify " + kind));
    Promise<String> posted = Async.function(notifier::announce, n, threadRef);
    pending.removeIf(Promise::isCompleted);
    pending.add(posted);
    // Keep every notifier's thread reference: one that failed on the first message joins in with a later one.
    posted.thenApply(r -> threadRef = mergeRefs(threadRef, r));
  }

  private boolean logsInWorkflow() {
    if (logInWorkflowVersion == NOT_READ) logInWorkflowVersion = Workflow.getVersion("notify-log-in-workflow", Workflow.DEFAULT_VERSION, 1);
    return logInWorkflowVersion >= 1;
  }

  /** The union of two space-separated reference lists, one reference per notifier prefix ({@code slack:}, {@code log:}). */
  static String mergeRefs(String kept, String returned) {
    if (returned == null || returned.isBlank()) return kept;
    if (kept == null || kept.isBlank()) return returned;
    List<String> refs = new ArrayList<>(List.of(kept.split(" ")));
    for (String r : returned.split(" ")) {
      String prefix = r.substring(0, r.indexOf(':') + 1);
      if (refs.stream().noneMatch(k -> k.startsWith(prefix))) refs.add(r);
    }
    return String.join(" ", refs);
  }

  /**
   * Before the workflow completes, give the last notifications a bounded time to finish, so "rolled back" and
   * "succeeded" reach people instead of being dropped with the closed workflow.
   */
  void flush() {
    Workflow.await(Duration.ofMinutes(2), () -> pending.stream().allMatch(Promise::isCompleted));
  }
}
