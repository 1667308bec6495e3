package dev.ringmaster.slack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.slack.api.app_backend.SlackSignature;
import dev.ringmaster.pipeline.ApprovalReceipt;
import dev.ringmaster.pipeline.Operation;
import dev.ringmaster.pipeline.RolloutStatus;
import dev.ringmaster.rollouts.Caller;
import dev.ringmaster.rollouts.CommandRefused;
import dev.ringmaster.rollouts.CommandRefused.Reason;
import dev.ringmaster.rollouts.RolloutCommands;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Slack's requests: button clicks ({@code /slack/interactions}) and the {@code /ringmaster} slash command
 * ({@code /slack/commands}). Every request's {@code X-Slack-Signature} is verified over the raw body, with
 * {@code X-Slack-Request-Timestamp} within 5 minutes, before anything is parsed; a request that fails is answered
 * 401 and changes nothing. A click becomes the approve/reject Update with the clicking Slack user, whose approver
 * groups are looked up in Slack; a refusal (not an approver, self-approval, already decided, rollout gone) is told
 * to the clicker only, as an ephemeral message.
 */
@RestController
class SlackController {
  private static final Logger log = LoggerFactory.getLogger(SlackController.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final SlackApi slack;
  private final RolloutCommands rollouts;

  SlackController(SlackApi slack, RolloutCommands rollouts) {
    this.slack = slack;
    this.rollouts = rollouts;
  }

  @PostMapping("/slack/interactions")
  ResponseEntity<Void> interactions(HttpServletRequest request) throws IOException {
    Map<String, String> form = form(verified(request));
    JsonNode p = JSON.readTree(form.getOrDefault("payload", "{}"));
    JsonNode action = p.path("actions").path(0);
    if (!"block_actions".equals(p.path("type").asText()) || action.isMissingNode()) return ResponseEntity.ok().build();
    String user = p.path("user").path("id").asText();
    String channel = p.path("channel").path("id").asText(p.path("container").path("channel_id").asText());
    String[] value = action.path("value").asText("").split("\\|", 2);
    String answer;
    if (value.length != 2) {
      answer = "This button does not belong to a Ringmaster rollout.";
    } else {
      answer = decide(value[0], value[1], user, "approve".equals(action.path("action_id").asText()));
    }
    try {
      slack.ephemeral(channel, user, answer);
    } catch (RuntimeException e) {
      log.warn("could not tell {} in {}: {} ({})", user, channel, answer, e.getMessage());
    }
    return ResponseEntity.ok().build();
  }

  private String decide(String id, String gate, String user, boolean approve) {
    Optional<RolloutStatus> found;
    try {
      found = rollouts.find(id);
    } catch (CommandRefused e) {
      return "Not counted: " + e.getMessage() + "; click again in a few seconds.";
    }
    if (found.isEmpty()) return "Not counted: rollout " + id + " no longer exists.";
    RolloutStatus s = found.get();
    List<String> groups = new ArrayList<>();
    try {
      if (!s.awaitingApprovers().contains(user)) {
        for (String approver : s.awaitingApprovers()) {
          if (approver.startsWith("S") && slack.groupMembers(approver).contains(user)) groups.add(approver);
        }
      }
      if (approve && s.triggeredBy() != null && s.triggeredBy().contains("@")
          && slack.userByEmail(s.triggeredBy()).filter(user::equals).isPresent()) {
        return "Not counted: you triggered this rollout (as " + s.triggeredBy() + ") and cannot approve it; ask another approver.";
      }
    } catch (RuntimeException e) {
      return "Not counted: could not check your approver groups in Slack (" + e.getMessage() + "); try again, or use the REST API.";
    }
    try {
      Caller caller = Caller.slack(user, groups);
      ApprovalReceipt r = approve ? rollouts.approve(id, caller, "from Slack", gate) : rollouts.reject(id, caller, "from Slack", gate);
      return (approve ? "Approved" : "Rejected") + " '" + r.gate() + "' of " + id + ": " + r.message()
          + (approve ? " (" + r.approvals() + " of " + r.quorum() + ")" : "");
    } catch (CommandRefused e) {
      return "Not counted: " + e.getMessage();
    }
  }

  record CommandAnswer(String response_type, String text) {}

  @PostMapping("/slack/commands")
  CommandAnswer command(HttpServletRequest request) throws IOException {
    Map<String, String> form = form(verified(request));
    String user = form.getOrDefault("user_id", "");
    String[] words = form.getOrDefault("text", "").strip().split("\\s+", 3);
    String usage = "Usage: `/ringmaster status <service>` or `/ringmaster abort <rollout-id> <reason>`";
    if (words.length >= 2 && words[0].equals("status")) {
      List<RolloutStatus.Summary> items = rollouts.list(words[1], null, Caller.slack(user, List.of()));
      if (items.isEmpty()) return new CommandAnswer("ephemeral", "No rollouts of " + words[1] + ".");
      StringBuilder sb = new StringBuilder("Rollouts of " + words[1] + ":");
      items.stream().limit(10).forEach(i -> sb.append("\n• ").append(i.id()).append(": ").append(i.state()).append(", ").append(i.phase())
          .append(i.currentRing() == null ? "" : ", ring " + i.currentRing()));
      return new CommandAnswer("ephemeral", sb.toString());
    }
    if (words.length == 3 && words[0].equals("abort")) {
      if (!slack.operatorsAllowed().contains(user)) {
        return new CommandAnswer("ephemeral", "Not allowed: only Ringmaster operators (ringmaster.slack.operators) may abort rollouts.");
      }
      try {
        RolloutStatus s = rollouts.operate(words[1], Operation.ABORT, Caller.slack(user, List.of()), words[2]);
        return new CommandAnswer("in_channel", "<@" + user + "> aborted " + words[1] + ": " + words[2] + " — " + s.message());
      } catch (CommandRefused e) {
        return new CommandAnswer("ephemeral", "Not aborted: " + e.getMessage());
      }
    }
    return new CommandAnswer("ephemeral", usage);
  }

  /** The raw body, once its Slack signature and timestamp check out; 401 otherwise. */
  private String verified(HttpServletRequest request) throws IOException {
    String body = new String(request.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    String timestamp = request.getHeader("X-Slack-Request-Timestamp");
    String signature = request.getHeader("X-Slack-Signature");
    String secret = slack.signingSecret();
    boolean fresh;
    try {
      fresh = timestamp != null && Math.abs(System.currentTimeMillis() / 1000 - Long.parseLong(timestamp)) <= 300;
    } catch (NumberFormatException e) {
      fresh = false;
    }
    if (secret == null || signature == null || !fresh
        || !new SlackSignature.Verifier(new SlackSignature.Generator(secret)).isValid(timestamp, body, signature, System.currentTimeMillis())) {
      throw new CommandRefused(Reason.UNAUTHENTICATED, "not a valid Slack request: bad or missing signature, or a timestamp more than 5 minutes off");
    }
    return body;
  }

  private static Map<String, String> form(String body) {
    Map<String, String> out = new HashMap<>();
    for (String pair : body.split("&")) {
      int eq = pair.indexOf('=');
      if (eq <= 0) continue;
      out.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8), URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
    }
    return out;
  }
}
