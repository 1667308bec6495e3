package dev.ringmaster.slack;

import static com.slack.api.model.block.Blocks.actions;
import static com.slack.api.model.block.Blocks.asBlocks;
import static com.slack.api.model.block.Blocks.context;
import static com.slack.api.model.block.Blocks.section;
import static com.slack.api.model.block.composition.BlockCompositions.markdownText;
import static com.slack.api.model.block.composition.BlockCompositions.plainText;
import static com.slack.api.model.block.element.BlockElements.asElements;
import static com.slack.api.model.block.element.BlockElements.button;

import com.slack.api.model.Message;
import dev.ringmaster.PublicUrl;
import com.slack.api.model.block.ActionsBlock;
import com.slack.api.model.block.LayoutBlock;
import com.slack.api.model.block.composition.TextObject;
import com.slack.api.model.block.element.ButtonElement;
import dev.ringmaster.notify.Notification;
import dev.ringmaster.notify.Notification.Kind;
import dev.ringmaster.notify.Notifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.stereotype.Component;

/**
 * Rollouts in Slack, in the definition's channel: a root message when the rollout starts, progress as thread
 * replies, and for each approval a message (broadcast to the channel) with the facts an approver needs and
 * Approve / Reject buttons. When the approval is decided, rejected or times out, that message is updated in place:
 * the buttons go, the outcome stays. Stateless: the approval message is found again in the rollout's thread by its
 * buttons' value, so a restarted Ringmaster still updates it.
 */
@Component
class SlackNotifier implements Notifier {
  static final String APPROVAL_BLOCK = "ringmaster-approval";
  private static final Set<Kind> CLOSES_APPROVALS = Set.of(Kind.APPROVAL_DECIDED, Kind.ROLLBACK_STARTED, Kind.PAUSED, Kind.ROLLED_BACK, Kind.SUCCEEDED);

  private final SlackApi slack;
  private final PublicUrl publicUrl;

  SlackNotifier(SlackApi slack, PublicUrl publicUrl) {
    this.slack = slack;
    this.publicUrl = publicUrl;
  }

  @Override
  public String refPrefix() {
    return "slack:";
  }

  @Override
  public boolean handles(Notification n) {
    return slack.enabled() && n.slackChannel() != null && !n.slackChannel().isBlank();
  }

  /** The value of a rollout's approval buttons: which rollout and which gate. */
  static String buttonValue(String rolloutId, String gate) {
    return rolloutId + "|" + gate;
  }

  @Override
  public String post(Notification n, String threadRef) {
    String channel = n.slackChannel();
    String threadTs = threadRef == null ? null : threadRef.substring(threadRef.lastIndexOf(':') + 1);
    if (threadTs == null) {
      threadTs = slack.post(channel, null, false, headline(n), asBlocks(
          section(s -> s.text(markdownText(headline(n)))),
          context(c -> c.elements(List.of(markdownText("<" + statusUrl(n) + "|Rollout status> · " + n.rolloutId()))))));
      if (n.kind() == Kind.STARTED) return ref(channel, threadTs);
    }
    if (CLOSES_APPROVALS.contains(n.kind())) closeOpenApprovals(channel, threadTs, n);
    if (n.kind() == Kind.APPROVAL_REQUESTED) {
      slack.post(channel, threadTs, true, "Approval needed: " + n.text(), approvalBlocks(n));
    } else {
      slack.post(channel, threadTs, n.kind() == Kind.ROLLBACK_STARTED || n.kind() == Kind.COMPENSATION_FAILED, line(n), null);
    }
    return ref(channel, threadTs);
  }

  private static String ref(String channel, String ts) {
    return "slack:" + channel + ":" + ts;
  }

  private String statusUrl(Notification n) {
    return publicUrl.rollout(n.rolloutId());
  }

  private static String headline(Notification n) {
    return "*" + n.service() + " " + n.version() + "*: " + n.text();
  }

  private static String line(Notification n) {
    String icon = switch (n.kind()) {
      case RING_ENABLED -> ":large_green_circle:";
      case ROLLBACK_STARTED, COMPENSATION_FAILED -> ":rotating_light:";
      case ROLLED_BACK -> ":leftwards_arrow_with_hook:";
      case SUCCEEDED -> ":white_check_mark:";
      case PAUSED -> ":double_vertical_bar:";
      default -> ":information_source:";
    };
    return icon + " " + n.kind().name().toLowerCase().replace('_', ' ') + ": " + n.text();
  }

  private List<LayoutBlock> approvalBlocks(Notification n) {
    Map<String, String> d = n.details();
    String gate = d.getOrDefault("gate", "?");
    List<TextObject> fields = new ArrayList<>();
    fields.add(markdownText("*Ring reached*\n" + d.getOrDefault("ringReached", "?")));
    fields.add(markdownText("*Next*\n" + d.getOrDefault("nextRing", "?")));
    fields.add(markdownText("*Triggered by*\n" + d.getOrDefault("triggeredBy", "?")));
    fields.add(markdownText("*Deadline*\n" + d.getOrDefault("deadline", "?")));
    fields.add(markdownText("*Approvers*\n" + d.getOrDefault("approvers", "?") + " (quorum " + d.getOrDefault("quorum", "1") + ")"));
    if (d.containsKey("soak")) fields.add(markdownText("*Gates of the soak*\n" + d.get("soak")));
    String value = buttonValue(n.rolloutId(), gate);
    return asBlocks(
        section(s -> s.text(markdownText(":vertical_traffic_light: *" + n.service() + " " + n.version() + "* awaits approval of *" + gate + "*"))),
        section(s -> s.fields(fields)),
        actions(a -> a.blockId(APPROVAL_BLOCK).elements(asElements(
            button(b -> b.actionId("approve").text(plainText("Approve")).style("primary").value(value)),
            button(b -> b.actionId("reject").text(plainText("Reject")).style("danger").value(value))))),
        context(c -> c.elements(List.of(markdownText("<" + statusUrl(n) + "|Rollout status> · " + n.rolloutId())))));
  }

  /** Every approval message of the thread that still has buttons: replaced by its facts and the outcome. */
  private void closeOpenApprovals(String channel, String threadTs, Notification n) {
    for (Message m : slack.thread(channel, threadTs)) {
      if (m.getBlocks() == null) continue;
      boolean open = m.getBlocks().stream().anyMatch(b -> b instanceof ActionsBlock a && APPROVAL_BLOCK.equals(a.getBlockId())
          && a.getElements().stream().anyMatch(e -> e instanceof ButtonElement be && be.getValue() != null && be.getValue().startsWith(n.rolloutId() + "|")));
      if (!open) continue;
      List<LayoutBlock> kept = new ArrayList<>(m.getBlocks().stream().filter(b -> !(b instanceof ActionsBlock)).toList());
      String outcome = (n.kind() == Kind.APPROVAL_DECIDED ? ":white_check_mark: " : ":no_entry: ") + n.text() + " — " + n.at();
      kept.add(section(s -> s.text(markdownText(outcome))));
      slack.update(channel, m.getTs(), outcome, kept);
    }
  }
}
