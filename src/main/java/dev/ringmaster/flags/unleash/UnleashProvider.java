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
import dev.ringmaster.connection.PermanentFailure;
import dev.ringmaster.flags.FlagProvider;
import dev.ringmaster.flags.FlagSnapshot;
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
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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
  private static final Pattern RELEASED_BY = Pattern.compile("fully released by (\\S+)");
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

  /**
   * The flag in the environment: enabled or not and every strategy (Ringmaster's and anyone else's) as Unleash
   * returns them. An archived flag cannot be read (Unleash answers 404): it is found through the feature search and
   * recorded as archived, with the rollout that released it from its description.
   */
  @Override
  public FlagSnapshot capture(FlagTarget flag) {
    JsonNode f = find(flag);
    if (f == null) {
      JsonNode archived = archived(flag);
      if (archived == null) return FlagSnapshot.absent(flag.key());
      Matcher m = RELEASED_BY.matcher(archived.path("description").asText(""));
      return new FlagSnapshot(flag.key(), true, true, true, m.find() ? m.group(1) : null, "archived", null);
    }
    JsonNode env = environment(f);
    ObjectNode state = JSON.createObjectNode().put("enabled", env.path("enabled").asBoolean(false));
    ArrayNode kept = state.putArray("strategies");
    for (JsonNode st : env.path("strategies")) kept.add(strategyFields(st).put("id", st.path("id").asText()));
    String titles = kept.findValuesAsText("title").stream().filter(t -> !t.isBlank()).map(t -> "'" + t + "'").reduce((a, b) -> a + ", " + b).orElse("");
    String summary = (state.get("enabled").asBoolean() ? "on" : "off") + " in " + environment + " with " + kept.size() + " strateg"
        + (kept.size() == 1 ? "y" : "ies") + (titles.isEmpty() ? "" : " (" + titles + ")");
    return new FlagSnapshot(flag.key(), true, false, false, null, summary, state.toString());
  }

  /**
   * After the kill switch: Ringmaster's strategies go, the recorded strategies come back as they were (re-created if
   * someone deleted one, updated if changed), then the environment is switched as it was. A flag that was archived is
   * archived again; one that did not exist stays, off and without Ringmaster's strategies.
   */
  @Override
  public FlagChange restore(FlagTarget flag, FlagSnapshot prior) {
    long started = System.nanoTime();
    if (!prior.exists()) return removeRules(flag);
    if (prior.archived()) {
      if (find(flag) != null) {
        for (String id : ours(flag).values()) call("DELETE", strategies(flag) + "/" + enc(id), null, "remove ring strategy");
        call("DELETE", feature(flag), null, "archive the flag again");
      }
      return change(flag, "restore: archived again", "nobody (archived, as before)", started);
    }
    JsonNode state = readState(flag, prior);
    Map<String, JsonNode> now = new LinkedHashMap<>();
    for (JsonNode st : call("GET", strategies(flag), null, "list strategies")) now.put(st.path("id").asText(), st);
    Map<String, JsonNode> before = new LinkedHashMap<>();
    for (JsonNode st : state.path("strategies")) before.put(st.path("id").asText(), st);
    for (String id : now.keySet()) {
      if (!before.containsKey(id)) call("DELETE", strategies(flag) + "/" + enc(id), null, "remove a strategy added since the capture");
    }
    for (var e : before.entrySet()) {
      ObjectNode wanted = strategyFields(e.getValue());
      JsonNode current = now.get(e.getKey());
      if (current == null) call("POST", strategies(flag), wanted, "re-create strategy '" + wanted.path("title").asText(wanted.path("name").asText()) + "'");
      else if (!strategyFields(current).equals(wanted)) call("PUT", strategies(flag) + "/" + enc(e.getKey()), wanted, "restore strategy '" + wanted.path("title").asText() + "'");
    }
    boolean enabled = state.path("enabled").asBoolean(false);
    call("POST", feature(flag) + "/environments/" + enc(environment) + (enabled ? "/on" : "/off"), null,
        "switch environment " + environment + (enabled ? " on" : " off") + " as it was");
    return change(flag, "restore the state before " + flag.rolloutId(), prior.summary(), started);
  }

  private static JsonNode readState(FlagTarget flag, FlagSnapshot prior) {
    try {
      return JSON.readTree(prior.state());
    } catch (IOException | IllegalArgumentException e) {
      throw new PermanentFailure("the recorded state of flag " + flag.key() + " is not an Unleash flag state: " + e.getMessage());
    }
  }

  /** What a strategy is, without its id: what POST/PUT accept, and what two strategies are compared on. */
  private static ObjectNode strategyFields(JsonNode st) {
    ObjectNode out = JSON.createObjectNode();
    for (String field : List.of("name", "title", "constraints", "parameters", "variants", "segments", "disabled", "sortOrder")) {
      if (st.has(field) && !st.get(field).isNull()) out.set(field, st.get(field));
    }
    return out;
  }

  private JsonNode environment(JsonNode feature) {
    for (JsonNode env : feature.path("environments")) {
      if (environment.equals(env.path("name").asText())) return env;
    }
    throw new PermanentFailure("connection '" + connection.name() + "': Unleash flag " + feature.path("name").asText()
        + " has no environment '" + environment + "' (is the environment enabled in project '" + project + "'?)");
  }

  /** The archived flag named {@code flag.key()} in the project, from the feature search, or null. */
  private JsonNode archived(FlagTarget flag) {
    JsonNode found = call("GET", "/api/admin/search/features?query=" + enc(flag.key()) + "&project=" + enc("IS:" + project)
        + "&archived=" + enc("IS:true") + "&limit=100", null, "search the archived flags");
    for (JsonNode f : found.path("features")) {
      if (flag.key().equals(f.path("name").asText())) return f;
    }
    return null;
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

  /**
   * Every flag's environment off in one request (Unleash's bulk toggle, one transaction on its side): a hundred
   * rollbacks at once are one call instead of a hundred that Unleash would work through one after another.
   */
  @Override
  public List<FlagChange> killSwitchAll(List<FlagTarget> flags) {
    long started = System.nanoTime();
    ObjectNode body = JSON.createObjectNode();
    ArrayNode features = body.putArray("features");
    flags.forEach(f -> features.add(f.key()));
    call("POST", "/api/admin/projects/" + enc(project) + "/bulk_features/environments/" + enc(environment) + "/off", body,
        "turn environment " + environment + " off for " + flags.size() + " flags");
    return flags.stream().map(f -> change(f, "kill switch", "nobody", started)).toList();
  }

  @Override
  public FlagChange removeRules(FlagTarget flag) {
    long started = System.nanoTime();
    if (find(flag) == null) return change(flag, "remove ring strategies", "nobody (no flag)", started);
    for (String id : ours(flag).values()) call("DELETE", strategies(flag) + "/" + enc(id), null, "remove ring strategy");
    return change(flag, "remove ring strategies", "nobody", started);
  }

  /** Records the releasing rollout in the description (read back by {@link #capture}), then archives the flag. */
  @Override
  public FlagChange retire(FlagTarget flag) {
    long started = System.nanoTime();
    JsonNode f = find(flag);
    if (f != null) {
      String description = f.path("description").asText("");
      if (!RELEASED_BY.matcher(description).find()) {
        ArrayNode patch = JSON.createArrayNode();
        patch.addObject().put("op", "replace").put("path", "/description").put("value", (description.isBlank() ? "" : description + "; ")
            + "fully released by " + flag.rolloutId());
        call("PATCH", feature(flag), patch, "record the releasing rollout");
      }
      call("DELETE", feature(flag), null, "archive the flag");
    }
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
    if (archived(flag) != null) { // pre-flight let it through: the definition says reuse: true
      call("POST", "/api/admin/archive/revive/" + enc(flag.key()), null, "revive the archived flag (reuse: true)");
      return;
    }
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
