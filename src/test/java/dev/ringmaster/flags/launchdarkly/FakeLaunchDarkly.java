package dev.ringmaster.flags.launchdarkly;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * No LaunchDarkly server can run here: this local server checks every request against LaunchDarkly's documented
 * REST API v2 shapes (token in {@code Authorization}; flag creation with boolean variations; semantic patch with
 * {@code Content-Type: application/json; domain-model=launchdarkly.semanticpatch}, an {@code environmentKey} for
 * environment instructions, and each instruction's required fields) and answers 400 with the reason when one does
 * not match. It applies the instructions to an in-memory flag kept in LaunchDarkly's own representation (rules and
 * fallthrough serve a {@code variation} index or a {@code rollout} of {@code {variation, weight}}), so idempotency and
 * the read-back of a captured state can be checked.
 */
final class FakeLaunchDarkly implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<String> ENV_KINDS = Set.of("turnFlagOn", "turnFlagOff", "addRule", "removeRule", "replaceRules",
      "updateFallthroughVariationOrRollout");

  private final HttpServer server;
  private final String token;
  final Map<String, ObjectNode> flags = new ConcurrentHashMap<>();
  final List<JsonNode> patches = Collections.synchronizedList(new ArrayList<>());
  final List<String> refusals = Collections.synchronizedList(new ArrayList<>());
  final ConcurrentLinkedDeque<int[]> forced = new ConcurrentLinkedDeque<>();
  private final AtomicInteger ids = new AtomicInteger();

  FakeLaunchDarkly(String token) throws IOException {
    this.token = token;
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/api/v2/flags/", this::handle);
    server.start();
  }

  String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  ObjectNode env(String key) {
    return (ObjectNode) flags.get(key).path("environments").path("production");
  }

  private void handle(HttpExchange x) throws IOException {
    try (x) {
      int[] force = forced.poll();
      if (force != null) {
        if (force[0] == 429) x.getResponseHeaders().add("Retry-After", String.valueOf(force[1]));
        answer(x, force[0], Map.of("code", "forced", "message", force[0] == 429 ? "Rate limited" : "Service unavailable"));
        return;
      }
      if (!token.equals(x.getRequestHeaders().getFirst("Authorization"))) {
        answer(x, 401, Map.of("code", "unauthorized", "message", "Invalid access token"));
        return;
      }
      String[] path = x.getRequestURI().getPath().substring("/api/v2/flags/".length()).split("/");
      if (!path[0].equals("shop")) {
        answer(x, 404, Map.of("code", "not_found", "message", "Unknown project key"));
        return;
      }
      byte[] raw = x.getRequestBody().readAllBytes();
      switch (x.getRequestMethod()) {
        case "POST" -> create(x, JSON.readTree(raw));
        case "GET" -> {
          ObjectNode f = flags.get(path[1]);
          if (f == null) answer(x, 404, Map.of("code", "not_found", "message", "Unknown flag"));
          else answer(x, 200, f);
        }
        case "PATCH" -> patch(x, path[1], raw);
        default -> answer(x, 405, Map.of("message", "method not allowed"));
      }
    }
  }

  private void create(HttpExchange x, JsonNode body) throws IOException {
    if (!body.hasNonNull("key") || !body.hasNonNull("name") || body.path("variations").size() != 2) {
      refuse(x, "flag creation needs key, name and two variations");
      return;
    }
    if (flags.containsKey(body.get("key").asText())) {
      answer(x, 409, Map.of("code", "conflict", "message", "A flag with this key already exists"));
      return;
    }
    ObjectNode f = ((ObjectNode) body.deepCopy()).put("_version", 1).put("archived", false);
    for (JsonNode v : f.withArray("variations")) ((ObjectNode) v).put("_id", "var-" + ids.incrementAndGet());
    ObjectNode env = f.putObject("environments").putObject("production");
    env.put("on", false).putArray("rules");
    env.putObject("fallthrough").put("variation", 1);
    flags.put(f.get("key").asText(), f);
    answer(x, 201, f);
  }

  private void patch(HttpExchange x, String key, byte[] raw) throws IOException {
    if (!LaunchDarklyProvider.SEMANTIC_PATCH.equals(x.getRequestHeaders().getFirst("Content-Type"))) {
      refuse(x, "semantic patch needs Content-Type: " + LaunchDarklyProvider.SEMANTIC_PATCH);
      return;
    }
    JsonNode body = JSON.readTree(raw);
    patches.add(body);
    ObjectNode f = flags.get(key);
    if (f == null) {
      answer(x, 404, Map.of("code", "not_found", "message", "Unknown flag"));
      return;
    }
    JsonNode instructions = body.path("instructions");
    if (!instructions.isArray() || instructions.isEmpty()) {
      refuse(x, "instructions must be a non-empty array");
      return;
    }
    boolean envLevel = false;
    for (JsonNode i : instructions) envLevel |= ENV_KINDS.contains(i.path("kind").asText());
    if (envLevel && !"production".equals(body.path("environmentKey").asText())) {
      refuse(x, "environmentKey is required for environment instructions");
      return;
    }
    ObjectNode env = (ObjectNode) f.path("environments").path("production");
    for (JsonNode i : instructions) {
      String error = apply(f, env, i);
      if (error != null) {
        refuse(x, error);
        return;
      }
    }
    f.put("_version", f.get("_version").asInt() + 1);
    answer(x, 200, f);
  }

  /** Applies one instruction; the reason it does not match the documented shape, or null. */
  private String apply(ObjectNode f, ObjectNode env, JsonNode i) {
    switch (i.path("kind").asText()) {
      case "turnFlagOn" -> env.put("on", true);
      case "turnFlagOff" -> env.put("on", false);
      case "archiveFlag" -> f.put("archived", true);
      case "restoreFlag" -> f.put("archived", false);
      case "updateDescription" -> f.put("description", i.path("value").asText());
      case "addRule" -> {
        ObjectNode rule = JSON.createObjectNode();
        String error = rule(f, i, rule);
        if (error != null) return error;
        ((ArrayNode) env.withArray("rules")).add(rule);
      }
      case "replaceRules" -> {
        if (!i.path("rules").isArray()) return "replaceRules needs rules";
        ArrayNode rules = JSON.createArrayNode();
        for (JsonNode r : i.path("rules")) {
          ObjectNode rule = rules.addObject();
          String error = rule(f, r, rule);
          if (error != null) return "replaceRules: " + error;
        }
        env.set("rules", rules);
      }
      case "removeRule" -> {
        ArrayNode rules = env.withArray("rules");
        for (int r = 0; r < rules.size(); r++) {
          if (rules.get(r).path("_id").asText().equals(i.path("ruleId").asText())) {
            rules.remove(r);
            return null;
          }
        }
        return "removeRule: no rule with ruleId '" + i.path("ruleId").asText() + "'";
      }
      case "updateFallthroughVariationOrRollout" -> {
        ObjectNode ft = JSON.createObjectNode();
        String error = serve(f, i, ft);
        if (error != null) return "updateFallthroughVariationOrRollout: " + error;
        env.set("fallthrough", ft);
      }
      default -> {
        return "unknown instruction kind '" + i.path("kind").asText() + "'";
      }
    }
    return null;
  }

  /** A rule from an addRule instruction (or a replaceRules element), as LaunchDarkly stores it. */
  private String rule(ObjectNode f, JsonNode i, ObjectNode rule) {
    JsonNode clauses = i.path("clauses");
    if (!clauses.isArray() || clauses.isEmpty()) return "a rule needs clauses";
    for (JsonNode c : clauses) {
      if (!c.hasNonNull("attribute") || !c.hasNonNull("op") || !c.path("values").isArray() || !c.hasNonNull("contextKind")) {
        return "each clause needs contextKind, attribute, op and values";
      }
    }
    rule.put("_id", "rule-" + ids.incrementAndGet());
    if (i.has("description")) rule.put("description", i.get("description").asText());
    rule.set("clauses", clauses.deepCopy());
    return serve(f, i, rule);
  }

  /** {@code variationId} or {@code rolloutWeights} as the stored {@code variation} index or {@code rollout}. */
  private static String serve(ObjectNode f, JsonNode i, ObjectNode out) {
    List<String> ids = f.path("variations").findValuesAsText("_id");
    if (i.has("variationId")) {
      int index = ids.indexOf(i.get("variationId").asText());
      if (index < 0) return "unknown variationId";
      out.put("variation", index);
    } else if (i.has("rolloutWeights")) {
      int sum = 0;
      ArrayNode variations = out.putObject("rollout").putArray("variations");
      for (var w : i.get("rolloutWeights").properties()) {
        if (!ids.contains(w.getKey())) return "rolloutWeights names an unknown variation";
        sum += w.getValue().asInt();
        variations.addObject().put("variation", ids.indexOf(w.getKey())).put("weight", w.getValue().asInt());
      }
      if (sum != 100_000) return "rolloutWeights must add up to 100000, got " + sum;
      ((ObjectNode) out.get("rollout")).put("bucketBy", i.path("rolloutBucketBy").asText("key"));
      if (i.has("rolloutContextKind")) ((ObjectNode) out.get("rollout")).put("contextKind", i.get("rolloutContextKind").asText());
    } else {
      return "needs variationId or rolloutWeights";
    }
    return null;
  }

  private void refuse(HttpExchange x, String reason) throws IOException {
    refusals.add(reason);
    answer(x, 400, Map.of("code", "invalid_request", "message", reason));
  }

  private static void answer(HttpExchange x, int status, Object body) throws IOException {
    byte[] bytes = JSON.writeValueAsBytes(body);
    x.getResponseHeaders().add("Content-Type", "application/json");
    x.sendResponseHeaders(status, bytes.length);
    x.getResponseBody().write(bytes);
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
