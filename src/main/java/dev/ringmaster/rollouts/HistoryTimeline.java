package dev.ringmaster.rollouts;

import io.temporal.api.common.v1.Payload;
import io.temporal.api.common.v1.Payloads;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.WorkflowClient;
import io.temporal.common.WorkflowExecutionHistory;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The Temporal history as a readable timeline: one entry per step, signal, decision and result, with the values
 * the activities returned (gate verdicts, flag changes, deploy results). Workflow-task bookkeeping is left out.
 */
public final class HistoryTimeline {
  private static final int MAX_TEXT = 4000;

  public record Entry(long eventId, Instant at, String type, String step, String detail) {}

  private HistoryTimeline() {}

  static List<Entry> of(WorkflowClient client, String id) {
    WorkflowExecutionHistory history = client.fetchHistory(id);
    Map<Long, String> activityByScheduledId = new HashMap<>();
    List<Entry> out = new ArrayList<>();
    for (HistoryEvent e : history.getEvents()) {
      Instant at = Instant.ofEpochSecond(e.getEventTime().getSeconds(), e.getEventTime().getNanos());
      String summary = e.hasUserMetadata() && e.getUserMetadata().hasSummary() ? text(e.getUserMetadata().getSummary()) : null;
      String type = e.getEventType().name().replace("EVENT_TYPE_", "").toLowerCase(Locale.ROOT);
      String step = null;
      String detail = null;
      switch (e.getEventType()) {
        case EVENT_TYPE_WORKFLOW_EXECUTION_STARTED -> {
          step = e.getWorkflowExecutionStartedEventAttributes().getWorkflowType().getName();
          detail = "started";
        }
        case EVENT_TYPE_ACTIVITY_TASK_SCHEDULED -> {
          step = e.getActivityTaskScheduledEventAttributes().getActivityType().getName();
          activityByScheduledId.put(e.getEventId(), step);
          detail = summary;
        }
        case EVENT_TYPE_ACTIVITY_TASK_COMPLETED -> {
          step = activityByScheduledId.get(e.getActivityTaskCompletedEventAttributes().getScheduledEventId());
          detail = text(e.getActivityTaskCompletedEventAttributes().getResult());
        }
        case EVENT_TYPE_ACTIVITY_TASK_FAILED -> {
          step = activityByScheduledId.get(e.getActivityTaskFailedEventAttributes().getScheduledEventId());
          detail = e.getActivityTaskFailedEventAttributes().getFailure().getMessage();
        }
        case EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT -> {
          step = activityByScheduledId.get(e.getActivityTaskTimedOutEventAttributes().getScheduledEventId());
          detail = e.getActivityTaskTimedOutEventAttributes().getFailure().getMessage();
        }
        case EVENT_TYPE_ACTIVITY_TASK_CANCEL_REQUESTED -> step = activityByScheduledId.get(
            e.getActivityTaskCancelRequestedEventAttributes().getScheduledEventId());
        case EVENT_TYPE_ACTIVITY_TASK_CANCELED -> step = activityByScheduledId.get(e.getActivityTaskCanceledEventAttributes().getScheduledEventId());
        case EVENT_TYPE_TIMER_STARTED -> {
          step = "timer";
          var d = e.getTimerStartedEventAttributes().getStartToFireTimeout();
          detail = (summary == null ? "" : summary + " ") + "(" + d.getSeconds() + "s)";
        }
        case EVENT_TYPE_MARKER_RECORDED -> {
          var m = e.getMarkerRecordedEventAttributes();
          String localActivity = localActivityType(e);
          if (localActivity != null) { // a local activity (EnableRing, the kill switch): its type, its result or failure
            step = localActivity;
            Payloads result = m.getDetailsMap().get("result");
            detail = m.hasFailure() ? m.getFailure().getMessage() : result == null ? summary : text(result);
          }
        }
        case EVENT_TYPE_TIMER_FIRED -> step = "timer";
        case EVENT_TYPE_TIMER_CANCELED -> step = "timer";
        case EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED -> {
          step = e.getWorkflowExecutionSignaledEventAttributes().getSignalName();
          detail = text(e.getWorkflowExecutionSignaledEventAttributes().getInput());
        }
        case EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED -> {
          var req = e.getWorkflowExecutionUpdateAcceptedEventAttributes().getAcceptedRequest();
          step = req.getInput().getName();
          detail = text(req.getInput().getArgs());
        }
        case EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED -> {
          var outcome = e.getWorkflowExecutionUpdateCompletedEventAttributes().getOutcome();
          step = "update";
          detail = outcome.hasSuccess() ? text(outcome.getSuccess()) : outcome.getFailure().getMessage();
        }
        case EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES -> {
          step = "phase";
          detail = e.getUpsertWorkflowSearchAttributesEventAttributes().getSearchAttributes().getIndexedFieldsMap().entrySet()
              .stream().map(en -> en.getKey() + "=" + text(en.getValue())).collect(Collectors.joining(", "));
        }
        case EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED -> {
          step = "start rollout";
          detail = e.getStartChildWorkflowExecutionInitiatedEventAttributes().getWorkflowId();
        }
        case EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED -> {
          step = "completed";
          detail = text(e.getWorkflowExecutionCompletedEventAttributes().getResult());
        }
        case EVENT_TYPE_WORKFLOW_EXECUTION_FAILED -> {
          step = "failed";
          detail = e.getWorkflowExecutionFailedEventAttributes().getFailure().getMessage();
        }
        case EVENT_TYPE_WORKFLOW_EXECUTION_CANCEL_REQUESTED -> step = "cancel requested";
        case EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED -> {
          step = "terminated";
          detail = e.getWorkflowExecutionTerminatedEventAttributes().getReason();
        }
        default -> {
          if (isBookkeeping(e.getEventType())) continue;
        }
      }
      out.add(new Entry(e.getEventId(), at, type, step, detail));
    }
    return out;
  }

  private static boolean isBookkeeping(EventType t) {
    return t == EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED || t == EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED
        || t == EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED || t == EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED;
  }

  /**
   * The activity type of a local activity's marker ({@code EnableRing}, {@code KillSwitch}; {@code LocalActivity} when the
   * marker does not say), or null when the event is not a local activity's marker.
   */
  public static String localActivityType(HistoryEvent e) {
    if (e.getEventType() != EventType.EVENT_TYPE_MARKER_RECORDED || !e.getMarkerRecordedEventAttributes().getMarkerName().equals("LocalActivity")) return null;
    Payloads activityType = e.getMarkerRecordedEventAttributes().getDetailsMap().get("type");
    return activityType == null ? "LocalActivity" : text(activityType).replace("\"", "");
  }

  private static String text(Payloads payloads) {
    return payloads.getPayloadsList().stream().map(HistoryTimeline::text).collect(Collectors.joining(", "));
  }

  /** Payloads are JSON (Temporal's default converter); shown as they are, cut at a readable length. */
  private static String text(Payload p) {
    String s = p.getData().toStringUtf8();
    return s.length() > MAX_TEXT ? s.substring(0, MAX_TEXT) + "…" : s;
  }
}
