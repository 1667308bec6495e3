package dev.ringmaster.flags.unleash;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ringmaster.connection.Connection;
import dev.ringmaster.connection.HttpEndpoint;
import dev.ringmaster.connection.HttpEndpoint.Answer;
import dev.ringmaster.connection.HttpFailures;
import dev.ringmaster.definition.Audience;
import dev.ringmaster.flags.FlagChange;
import dev.ringmaster.flags.FlagProvider;
import dev.ringmaster.flags.FlagTarget;
import java.io.IOException;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The release flag in Unleash, through its Admin API, in one project ({@code project}, default {@code default}) and
 * environment ({@code environment}, default {@code development}). Each part of a ring's cumulative audience is one
 * strategy whose title starts with {@code ringmaster:}: {@code ringmaster: tenants} (a {@code flexibleRollout} at 100 %
 * constrained to {@code <tenant-field> IN [...]}), {@code ringmaster: users} ({@code userId IN}), one per attribute,
 * and {@code ringmaster: percent} (a {@code flexibleRollout} at the ring's percent, sticky on the default stickiness —
 * the user id — with the flag name as group, so a user in at 5 % stays in at 25 %). Strategies are matched by title
 * and replaced, never added twice, so a retried activity leaves exactly one strategy per audience part. Kill switch:
 * the environment off, one call. Settings: {@code url}, {@code token-env} (an admin API token), {@code project},
 * {@code environment}, {@code tenant-field} (default {@code tenantId}), {@code timeout} (10s).
 */
final class UnleashProvider implements FlagProvider {
  static final String TITLE_PREFIX = "ringmaster: ";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Connection connection;
  private final HttpClient http;
  private final HttpEndpoint endpoint;
  private final String project;
  private final String environment;
  private final String tenantField;

  UnleashProvider(Connection connection, HttpClient http) {
    this.connection = connection;
    this.http = http;
    this.endpoint = HttpEndpoint.of(connection, "Unleash", null, "", true);
    this.project = connection.setting("project").orElse("default");
    this.environment = connection.setting("environment").orElse("development");
    this.tenantField = connection.setting("tenant-field").orElse("tenantId");
  }

  private String feature(FlagTarget f) {
    return "/api/admin/projects/" + enc(project) + "/features/" + enc(f.key());
  }

  private String strategies(FlagTarget f) {
    return feature(f) + "/environments/" + enc(environment) + "/strategies";
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  @Override
  public FlagChange enable(FlagTarget flag, String ring, Audience cumulative) {
    long started = System.nanoTime();
    ensureFlag(flag);
    Map<String, ObjectNode> wanted = wantedStrategies(flag, cumulative);
    Map<String, String> existing = ours(flag);
    for (var e : wanted.entrySet()) {
      String id = existing.remove(e.getKey());
      if (id == null) call("POST", strategies(flag), e.getValue(), "add strategy '" + e.getKey() + "'");
      else call("PUT", strategies(flag) + "/" + enc(id), e.getValue(), "update strategy '" + e.getKey() + "'");
    }
    for (String stale : existing.values()) call("DELETE", strategies(flag) + "/" + enc(stale), null, "remove a strategy no ring needs");
    call("POST", feature(flag) + "/environments/" + enc(environment) + "/on", null, "enable environment " + environment);
    return change(flag, "enable " + ring, cumulative.describe(), started);
  }

  @Override
  public FlagChange killSwitch(FlagTarget flag) {
    long started = System.nanoTime();
    call("POST", feature(flag) + "/environments/" + enc(environment) + "/off", null, "turn environment " + environment + " off");
    return change(flag, "kill switch", "nobody", started);
  }

  @Override
  public FlagChange removeRules(FlagTarget flag) {
    long started = System.nanoTime();
    if (find(flag) == null) return change(flag, "remove ring strategies", "nobody (no flag)", started);
    for (String id : ours(flag).values()) call("DELETE", strategies(flag) + "/" + enc(id), null, "remove ring strategy");
    return change(flag, "remove ring strategies", "nobody", started);
  }

  @Override
  public FlagChange retire(FlagTarget flag) {
    long started = System.nanoTime();
    if (find(flag) != null) call("DELETE", feature(flag), null, "archive the flag");
    return change(flag, "archive", "everyone (flag archived)", started);
  }

  private Map<String, ObjectNode> wantedStrategies(FlagTarget flag, Audience a) {
    Map<String, ObjectNode> out = new LinkedHashMap<>();
    if (!a.tenants().isEmpty()) out.put("tenants", strategy(flag, "tenants", 100, tenantField, a.tenants()));
    if (!a.users().isEmpty()) out.put("users", strategy(flag, "users", 100, "userId", a.users()));
    a.attributes().forEach((name, values) -> out.put("attribute " + name, strategy(flag, "attribute " + name, 100, name, values)));
    if (a.percent() > 0) out.put("percent", strategy(flag, "percent", a.percent(), null, List.of()));
    return out;
  }

  private ObjectNode strategy(FlagTarget flag, String part, double percent, String field, List<String> values) {
    ObjectNode s = JSON.createObjectNode().put("name", "flexibleRollout").put("title", TITLE_PREFIX + part);
    ArrayNode constraints = s.putArray("constraints");
    if (field != null) {
      ObjectNode c = constraints.addObject().put("contextName", field).put("operator", "IN").put("caseInsensitive", false).put("inverted", false);
      values.forEach(c.putArray("values")::add);
    }
    String rollout = percent == Math.rint(percent) ? String.valueOf((long) percent) : String.valueOf(percent);
    s.putObject("parameters").put("rollout", rollout).put("stickiness", "default").put("groupId", flag.key());
    return s;
  }

  /** Ringmaster's strategies on the flag in the environment: title part → strategy id. */
  private Map<String, String> ours(FlagTarget flag) {
    JsonNode list = call("GET", strategies(flag), null, "list strategies");
    Map<String, String> out = new LinkedHashMap<>();
    for (JsonNode s : list) {
      String title = s.path("title").asText("");
      if (title.startsWith(TITLE_PREFIX)) {
        String part = title.substring(TITLE_PREFIX.length());
        if (out.containsKey(part)) call("DELETE", strategies(flag) + "/" + enc(s.get("id").asText()), null, "remove a duplicate strategy");
        else out.put(part, s.get("id").asText());
      }
    }
    return out;
  }

  private JsonNode find(FlagTarget flag) {
    Answer a = send("GET", feature(flag), null);
    if (a.status() == 404) return null;
    return check(a, "read the flag");
  }

  private void ensureFlag(FlagTarget flag) {
    if (find(flag) != null) return;
    ObjectNode body = JSON.createObjectNode().put("name", flag.key()).put("type", "release").put("impressionData", false)
        .put("description", "Release flag of " + flag.rolloutId() + "; owner " + flag.owner()
            + (flag.expires() == null ? "" : "; expires " + flag.expires()) + " (managed by Ringmaster)");
    Answer a = send("POST", "/api/admin/projects/" + enc(project) + "/features", body);
    if (a.status() == 409) return; // created meanwhile
    check(a, "create the flag");
  }

  private FlagChange change(FlagTarget flag, String action, String audience, long started) {
    Duration took = Duration.ofNanos(System.nanoTime() - started);
    String ref = "unleash";
    try {
      JsonNode events = call("GET", "/api/admin/events?feature=" + enc(flag.key()), null, "read the flag's events");
      JsonNode latest = events.path("events").path(0);
      if (!latest.isMissingNode()) ref = "unleash event " + latest.path("id").asText() + " (" + latest.path("type").asText() + ")";
    } catch (RuntimeException e) {
      ref = "unleash (event id unavailable: " + e.getMessage() + ")";
    }
    return new FlagChange(flag.key(), action, audience, ref, took);
  }

  private JsonNode call(String method, String path, JsonNode body, String what) {
    return check(send(method, path, body), what);
  }

  private Answer send(String method, String path, JsonNode body) {
    HttpRequest.Builder b = endpoint.request(path);
    if (body != null) b.header("Content-Type", "application/json");
    return endpoint.send(http, b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body.toString())).build());
  }

  private JsonNode check(Answer a, String what) {
    String prefix = "connection '" + connection.name() + "': Unleash, " + what + ": ";
    if (a.status() / 100 == 2) {
      try {
        return a.body().isBlank() ? JSON.createObjectNode() : JSON.readTree(a.body());
      } catch (IOException e) {
        return JSON.createObjectNode();
      }
    }
    throw HttpFailures.of(prefix, a.status(), HttpFailures.message(a.body()), a.retryAfter(), "check the admin token in the variable named by token-env",
        "does project '" + project + "' / environment '" + environment + "' exist?");
  }
}
