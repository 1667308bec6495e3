package dev.ringmaster.flags.launchdarkly;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ringmaster.connection.Connection;
import dev.ringmaster.connection.HttpEndpoint;
import dev.ringmaster.connection.HttpEndpoint.Answer;
import dev.ringmaster.connection.HttpFailures;
import dev.ringmaster.connection.PermanentFailure;
import dev.ringmaster.definition.Audience;
import dev.ringmaster.flags.FlagChange;
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
 * The release flag in LaunchDarkly, through its REST API v2 with semantic patch
 * ({@code Content-Type: application/json; domain-model=launchdarkly.semanticpatch}). Cohorts are targeting rules
 * whose description starts with {@code ringmaster:} ({@code in} clauses on the tenant field, {@code key}, or an
 * attribute, serving the {@code true} variation); the ring's percentage is a percentage rollout on the fallthrough,
 * bucketed by context key. Each enable is one PATCH whose instructions bring the rules to the wanted state (rules
 * already right are left alone, so a retried activity adds nothing). Kill switch: {@code turnFlagOff}, one call.
 * Cleanup: {@code archiveFlag}. Settings: {@code url} (default {@code https://app.launchdarkly.com}),
 * {@code token-env} (an API access token), {@code project}, {@code environment}, {@code tenant-field}
 * ({@code tenantId}), {@code context-kind} ({@code user}), {@code timeout} (10s).
 */
final class LaunchDarklyProvider implements FlagProvider {
  static final String SEMANTIC_PATCH = "application/json; domain-model=launchdarkly.semanticpatch";
  static final String RULE_PREFIX = "ringmaster: ";
  private static final Pattern RELEASED_BY = Pattern.compile("fully released by (\\S+)");
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Connection connection;
  private final HttpClient http;
  private final HttpEndpoint endpoint;
  private final String project;
  private final String environment;
  private final String tenantField;
  private final String contextKind;

  LaunchDarklyProvider(Connection connection, HttpClient http) {
    this.connection = connection;
    this.http = http;
    this.endpoint = HttpEndpoint.of(connection, "LaunchDarkly", "https://app.launchdarkly.com", "", true);
    this.project = connection.require("project");
    this.environment = connection.require("environment");
    this.tenantField = connection.setting("tenant-field").orElse("tenantId");
    this.contextKind = connection.setting("context-kind").orElse("user");
  }

  private String flagPath(FlagTarget f) {
    return "/api/v2/flags/" + enc(project) + "/" + enc(f.key());
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  /**
   * The flag in the environment as LaunchDarkly returns it: on/off, its targeting rules, fallthrough, variations,
   * archived; "fully released" is archived while on and serving {@code true} to everyone (the fallthrough).
   */
  @Override
  public FlagSnapshot capture(FlagTarget flag) {
    JsonNode f = get(flag);
    if (f == null) return FlagSnapshot.absent(flag.key());
    JsonNode env = f.path("environments").path(environment);
    boolean archived = f.path("archived").asBoolean(false);
    boolean on = env.path("on").asBoolean(false);
    JsonNode fallthrough = env.path("fallthrough");
    boolean everyone = on && fallthrough.has("variation") && f.path("variations").path(fallthrough.path("variation").asInt()).path("value").asBoolean(false);
    ObjectNode state = JSON.createObjectNode().put("on", on).put("archived", archived);
    state.set("rules", env.path("rules"));
    state.set("fallthrough", fallthrough);
    state.set("variations", f.path("variations"));
    Matcher m = RELEASED_BY.matcher(f.path("description").asText(""));
    String summary = (on ? "on" : "off") + " in " + environment + " with " + env.path("rules").size() + " rule(s), fallthrough "
        + (everyone ? "true for everyone" : fallthrough.has("rollout") ? "a percentage rollout" : "variation " + fallthrough.path("variation").asText("?"))
        + (archived ? ", archived" : "");
    return new FlagSnapshot(flag.key(), true, archived, archived && everyone, m.find() ? m.group(1) : null, summary, state.toString());
  }

  /**
   * After the kill switch: one semantic patch puts back the recorded rules ({@code replaceRules}, in their order),
   * the fallthrough and on/off; a flag that was archived is archived again. A flag that did not exist stays, off
   * and without Ringmaster's rules.
   */
  @Override
  public FlagChange restore(FlagTarget flag, FlagSnapshot prior) {
    long started = System.nanoTime();
    if (!prior.exists()) return removeRules(flag);
    JsonNode f = get(flag);
    if (f == null) throw new PermanentFailure("connection '" + connection.name() + "': LaunchDarkly flag " + flag.key()
        + " existed before " + flag.rolloutId() + " but is gone now: nothing to restore it into");
    JsonNode before;
    try {
      before = JSON.readTree(prior.state());
    } catch (IOException e) {
      throw new PermanentFailure("the recorded state of flag " + flag.key() + " is not a LaunchDarkly flag state: " + e.getMessage());
    }
    JsonNode variations = before.path("variations");
    ArrayNode instructions = JSON.createArrayNode();
    ArrayNode rules = instructions.addObject().put("kind", "replaceRules").putArray("rules");
    for (JsonNode rule : before.path("rules")) {
      ObjectNode r = serve(rules.addObject(), rule, variations, flag);
      if (rule.has("description")) r.put("description", rule.get("description").asText());
      if (rule.has("trackEvents")) r.put("trackEvents", rule.get("trackEvents").asBoolean());
      ArrayNode clauses = r.putArray("clauses");
      for (JsonNode c : rule.path("clauses")) {
        ObjectNode clause = ((ObjectNode) c.deepCopy());
        clause.remove("_id");
        clauses.add(clause);
      }
    }
    serve(instructions.addObject().put("kind", "updateFallthroughVariationOrRollout"), before.path("fallthrough"), variations, flag);
    instructions.addObject().put("kind", before.path("on").asBoolean(false) ? "turnFlagOn" : "turnFlagOff");
    JsonNode r = patch(flag, "restore the state before this rollout: " + prior.summary(), instructions);
    if (before.path("archived").asBoolean(false) && !f.path("archived").asBoolean(false)) {
      r = projectPatch(flag, "archived again, as before " + flag.rolloutId(), JSON.createArrayNode().add(JSON.createObjectNode().put("kind", "archiveFlag")));
    }
    return change(flag, "restore the state before " + flag.rolloutId(), prior.summary(), r, started);
  }

  /**
   * A rule's or the fallthrough's {@code variation} (index) or {@code rollout} as the semantic-patch fields
   * {@code variationId} or {@code rolloutWeights}/{@code rolloutBucketBy}/{@code rolloutContextKind}.
   */
  private static ObjectNode serve(ObjectNode out, JsonNode served, JsonNode variations, FlagTarget flag) {
    if (served.has("variation")) {
      out.put("variationId", variations.path(served.get("variation").asInt()).path("_id").asText());
    } else if (served.has("rollout")) {
      ObjectNode weights = out.putObject("rolloutWeights");
      for (JsonNode w : served.get("rollout").path("variations")) {
        weights.put(variations.path(w.path("variation").asInt()).path("_id").asText(), w.path("weight").asInt());
      }
      if (served.get("rollout").has("bucketBy")) out.put("rolloutBucketBy", served.get("rollout").get("bucketBy").asText());
      if (served.get("rollout").has("contextKind")) out.put("rolloutContextKind", served.get("rollout").get("contextKind").asText());
    } else {
      throw new PermanentFailure("the recorded state of flag " + flag.key() + " serves neither a variation nor a rollout: " + served);
    }
    return out;
  }

  @Override
  public FlagChange enable(FlagTarget flag, String ring, Audience cumulative) {
    long started = System.nanoTime();
    JsonNode f = ensureFlag(flag);
    String on = variationId(f, true);
    String off = variationId(f, false);
    JsonNode env = f.path("environments").path(environment);
    Map<String, ObjectNode> wanted = wantedRules(cumulative, on);
    ArrayNode instructions = JSON.createArrayNode();
    for (JsonNode rule : env.path("rules")) {
      String description = rule.path("description").asText("");
      if (!description.startsWith(RULE_PREFIX)) continue;
      ObjectNode w = wanted.get(description);
      if (w != null && sameClauses(rule, w)) {
        wanted.remove(description); // already right: leave it
      } else {
        instructions.addObject().put("kind", "removeRule").put("ruleId", rule.path("_id").asText());
      }
    }
    wanted.values().forEach(instructions::add);
    ObjectNode fallthrough = instructions.addObject().put("kind", "updateFallthroughVariationOrRollout");
    if (cumulative.percent() >= 100 || cumulative.percent() <= 0) {
      fallthrough.put("variationId", cumulative.percent() >= 100 ? on : off);
    } else {
      int onWeight = (int) Math.round(cumulative.percent() * 1000);
      fallthrough.putObject("rolloutWeights").put(on, onWeight).put(off, 100_000 - onWeight);
      fallthrough.put("rolloutBucketBy", "key").put("rolloutContextKind", contextKind);
    }
    instructions.addObject().put("kind", "turnFlagOn");
    JsonNode r = patch(flag, "enable ring " + ring + ": " + cumulative.describe(), instructions);
    return change(flag, "enable " + ring, cumulative.describe(), r, started);
  }

  @Override
  public FlagChange killSwitch(FlagTarget flag) {
    long started = System.nanoTime();
    JsonNode r = patch(flag, "kill switch", JSON.createArrayNode().add(JSON.createObjectNode().put("kind", "turnFlagOff")));
    return change(flag, "kill switch", "nobody", r, started);
  }

  @Override
  public FlagChange removeRules(FlagTarget flag) {
    long started = System.nanoTime();
    JsonNode f = get(flag);
    if (f == null) return change(flag, "remove ring rules", "nobody (no flag)", null, started);
    ArrayNode instructions = JSON.createArrayNode();
    for (JsonNode rule : f.path("environments").path(environment).path("rules")) {
      if (rule.path("description").asText("").startsWith(RULE_PREFIX)) instructions.addObject().put("kind", "removeRule").put("ruleId", rule.path("_id").asText());
    }
    instructions.addObject().put("kind", "updateFallthroughVariationOrRollout").put("variationId", variationId(f, false));
    return change(flag, "remove ring rules", "nobody", patch(flag, "remove ring rules", instructions), started);
  }

  @Override
  public FlagChange retire(FlagTarget flag) {
    long started = System.nanoTime();
    JsonNode f = get(flag);
    if (f == null || f.path("archived").asBoolean(false)) return change(flag, "archive", "everyone (already archived)", f, started);
    ArrayNode instructions = JSON.createArrayNode();
    String description = f.path("description").asText("");
    if (!RELEASED_BY.matcher(description).find()) { // read back by capture: who released it
      instructions.addObject().put("kind", "updateDescription").put("value", (description.isBlank() ? "" : description + "; ") + "fully released by " + flag.rolloutId());
    }
    instructions.addObject().put("kind", "archiveFlag");
    JsonNode r = projectPatch(flag, "contract cleanup of " + flag.rolloutId(), instructions);
    return change(flag, "archive", "everyone (flag archived)", r, started);
  }

  /** A semantic patch of flag-level instructions (no environment): archive, restore, description. */
  private JsonNode projectPatch(FlagTarget flag, String comment, ArrayNode instructions) {
    ObjectNode body = JSON.createObjectNode().put("comment", comment);
    body.set("instructions", instructions);
    return check(send("PATCH", flagPath(flag), body, SEMANTIC_PATCH), comment);
  }

  private Map<String, ObjectNode> wantedRules(Audience a, String on) {
    Map<String, ObjectNode> out = new LinkedHashMap<>();
    if (!a.tenants().isEmpty()) out.put(RULE_PREFIX + "tenants", rule("tenants", tenantField, a.tenants(), on));
    if (!a.users().isEmpty()) out.put(RULE_PREFIX + "users", rule("users", "key", a.users(), on));
    a.attributes().forEach((name, values) -> out.put(RULE_PREFIX + "attribute " + name, rule("attribute " + name, name, values, on)));
    return out;
  }

  private ObjectNode rule(String part, String attribute, List<String> values, String on) {
    ObjectNode r = JSON.createObjectNode().put("kind", "addRule").put("description", RULE_PREFIX + part).put("variationId", on);
    ObjectNode clause = r.putArray("clauses").addObject().put("contextKind", contextKind).put("attribute", attribute).put("op", "in").put("negate", false);
    values.forEach(clause.putArray("values")::add);
    return r;
  }

  private static boolean sameClauses(JsonNode existing, ObjectNode wanted) {
    JsonNode c = existing.path("clauses").path(0);
    JsonNode w = wanted.path("clauses").path(0);
    return existing.path("clauses").size() == 1 && c.path("attribute").equals(w.path("attribute")) && c.path("values").equals(w.path("values"))
        && !c.path("negate").asBoolean(false);
  }

  private static String variationId(JsonNode flag, boolean value) {
    for (JsonNode v : flag.path("variations")) {
      if (v.path("value").isBoolean() && v.path("value").asBoolean() == value) return v.path("_id").asText();
    }
    throw new PermanentFailure("flag " + flag.path("key").asText() + " has no " + value + " variation: Ringmaster manages boolean release flags");
  }

  private JsonNode ensureFlag(FlagTarget flag) {
    JsonNode f = get(flag);
    if (f != null && f.path("archived").asBoolean(false)) { // pre-flight let it through: the definition says reuse: true
      projectPatch(flag, "Ringmaster " + flag.rolloutId() + ": reuse the archived flag", JSON.createArrayNode().add(JSON.createObjectNode().put("kind", "restoreFlag")));
      return get(flag);
    }
    if (f != null) return f;
    ObjectNode body = JSON.createObjectNode().put("key", flag.key()).put("name", flag.key()).put("temporary", true)
        .put("description", "Release flag of " + flag.rolloutId() + "; owner " + flag.owner() + (flag.expires() == null ? "" : "; expires " + flag.expires())
            + " (managed by Ringmaster)");
    body.putArray("tags").add("ringmaster");
    ArrayNode variations = body.putArray("variations");
    variations.addObject().put("value", true).put("name", "on");
    variations.addObject().put("value", false).put("name", "off");
    body.putObject("defaults").put("onVariation", 0).put("offVariation", 1);
    Answer r = send("POST", "/api/v2/flags/" + enc(project), body, "application/json");
    if (r.status() != 409) check(r, "create the flag");
    return get(flag);
  }

  private JsonNode get(FlagTarget flag) {
    Answer r = send("GET", flagPath(flag) + "?env=" + enc(environment), null, null);
    if (r.status() == 404) return null; // no such flag (a missing project shows when the flag is created)
    return check(r, "read the flag");
  }

  private JsonNode patch(FlagTarget flag, String comment, ArrayNode instructions) {
    ObjectNode body = JSON.createObjectNode().put("environmentKey", environment).put("comment", "Ringmaster " + flag.rolloutId() + ": " + comment);
    body.set("instructions", instructions);
    return check(send("PATCH", flagPath(flag), body, SEMANTIC_PATCH), comment);
  }

  private FlagChange change(FlagTarget flag, String action, String audience, JsonNode response, long started) {
    String ref = response == null || response.path("_version").isMissingNode() ? "launchdarkly" : "launchdarkly flag version " + response.path("_version").asText();
    return new FlagChange(flag.key(), action, audience, ref, Duration.ofNanos(System.nanoTime() - started));
  }

  private Answer send(String method, String path, JsonNode body, String contentType) {
    HttpRequest.Builder b = endpoint.request(path);
    if (contentType != null) b.header("Content-Type", contentType);
    return endpoint.send(http, b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body.toString())).build());
  }

  private JsonNode check(Answer r, String what) {
    String prefix = "connection '" + connection.name() + "': LaunchDarkly, " + what + ": ";
    if (r.status() / 100 == 2) {
      try {
        return r.body().isBlank() ? JSON.createObjectNode() : JSON.readTree(r.body());
      } catch (IOException e) {
        return JSON.createObjectNode();
      }
    }
    throw HttpFailures.of(prefix, r.status(), HttpFailures.message(r.body()), r.retryAfter(), "check the API token in the variable named by token-env",
        "does project '" + project + "' / environment '" + environment + "' exist?");
  }
}
