package dev.ringmaster.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns successive statuses of one rollout into progress events, one line each: phase changes, rings enabled with
 * their audience, each new gate measurement with its values and verdict (measurements between two polls are
 * counted), approvals awaited and decided, rollback steps, the end.
 */
final class Progress {
  /** One event: its kind and the line a person reads. */
  record Event(String kind, String text) {
    Event {
      text = oneLine(text);
    }

    ObjectNode json(String rolloutId) {
      return Api.JSON.createObjectNode().put("rollout", rolloutId).put("event", kind).put("text", text);
    }
  }

  private String phase;
  private String awaiting;
  private final Map<String, String> ringStates = new HashMap<>();
  private final Map<String, Integer> measured = new HashMap<>();
  private int approvals;
  private int rollbackSteps;

  List<Event> next(JsonNode s) {
    List<Event> out = new ArrayList<>();
    for (JsonNode ring : s.path("rings")) {
      String name = ring.path("name").asText();
      String state = ring.path("state").asText();
      if (!state.equals(ringStates.put(name, state)) && !state.equals("PENDING")) {
        out.add(new Event("ring", "ring " + name + " " + state.toLowerCase(java.util.Locale.ROOT).replace('_', ' ') + " (audience: " + ring.path("audience").asText() + ")"));
      }
      JsonNode m = ring.path("measurements");
      int count = m.path("measurements").asInt(0);
      int seen = measured.getOrDefault(name, 0);
      if (count > seen && m.hasNonNull("last")) {
        JsonNode last = m.path("last");
        StringBuilder line = new StringBuilder("gate ring " + name + " #" + count + (count - seen > 1 ? " (+" + (count - seen - 1) + " since the last line)" : "")
            + ": " + last.path("outcome").asText());
        for (JsonNode v : last.path("metrics")) {
          line.append("; ").append(v.path("metric").asText()).append(" canary=").append(num(v.path("canary")));
          if (v.hasNonNull("control")) line.append(" control=").append(num(v.path("control")));
          if (v.hasNonNull("samples")) line.append(" samples=").append(num(v.path("samples")));
          line.append(" failIf ").append(v.path("failIf").asText()).append(" → ").append(v.path("outcome").asText());
          if (v.hasNonNull("reason")) line.append(" (").append(v.path("reason").asText()).append(')');
        }
        out.add(new Event("measurement", line.toString()));
        measured.put(name, count);
      }
      String verdict = ring.hasNonNull("verdict") ? ring.path("verdict").asText() : null;
      if (verdict != null && !verdict.equals(ringStates.put(name + ":verdict", verdict))) {
        out.add(new Event("verdict", "ring " + name + " verdict: " + verdict));
      }
    }
    String nowAwaiting = s.path("awaiting").isNull() || s.path("awaiting").isMissingNode() ? null : s.path("awaiting").asText();
    if (nowAwaiting != null && !nowAwaiting.equals(awaiting)) {
      List<String> approvers = new ArrayList<>();
      s.path("awaitingApprovers").forEach(x -> approvers.add(x.asText()));
      out.add(new Event("approval-awaited", "awaiting approval of " + nowAwaiting + " from " + String.join(", ", approvers)
          + " (ringmaster approve " + s.path("id").asText() + ")"));
    }
    awaiting = nowAwaiting;
    JsonNode a = s.path("approvals");
    for (int i = approvals; i < a.size(); i++) {
      JsonNode d = a.get(i);
      out.add(new Event("approval", d.path("gate").asText() + " " + d.path("decision").asText().toLowerCase() + " by " + d.path("by").asText()
          + " via " + d.path("source").asText() + (d.path("comment").asText().isEmpty() ? "" : ": " + d.path("comment").asText())));
    }
    approvals = a.size();
    JsonNode steps = s.path("rollbackSteps");
    if (rollbackSteps == 0 && steps.size() > 0) out.add(new Event("rollback", "rolling back: " + text(s, "rollbackReason")));
    for (int i = rollbackSteps; i < steps.size(); i++) out.add(new Event("rollback-step", "rollback step " + (i + 1) + ": " + steps.get(i).asText()));
    rollbackSteps = steps.size();
    String p = s.path("phase").asText();
    if (!p.equals(phase)) {
      out.add(new Event("phase", "phase " + p + (text(s, "message").isEmpty() ? "" : ": " + text(s, "message"))));
      phase = p;
    }
    return out;
  }

  /** One event, one line: a multi-line message (a command's output) is joined. */
  static String oneLine(String text) {
    return text.replaceAll("\\s*\\R\\s*", " ");
  }

  /** A text field; empty when absent or null. */
  static String text(JsonNode s, String field) {
    return s.path(field).isTextual() ? s.path(field).asText() : "";
  }

  private static String num(JsonNode n) {
    if (n == null || n.isNull() || n.isMissingNode()) return "none";
    if (n.isTextual()) return n.asText();
    double d = n.asDouble();
    return d == Math.rint(d) && Math.abs(d) < 1e12 ? String.valueOf((long) d) : String.format(java.util.Locale.ROOT, "%.4g", d);
  }
}
