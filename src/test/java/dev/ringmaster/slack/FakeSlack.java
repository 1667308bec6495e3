package dev.ringmaster.slack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A local stand-in for Slack's Web API (no Slack can be reached here), speaking the documented shapes of the
 * methods Ringmaster uses: form-encoded requests to {@code /api/<method>} with the bot token as a Bearer header,
 * JSON answers with {@code ok}. It keeps the channel's messages so tests can read what people would see.
 */
public final class FakeSlack implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  public record Ephemeral(String channel, String user, String text) {}

  private final HttpServer server;
  private final String token;
  private final AtomicInteger nextTs = new AtomicInteger(1);
  /** ts → message (channel, ts, thread_ts, text, blocks). */
  public final Map<String, ObjectNode> messages = Collections.synchronizedMap(new java.util.LinkedHashMap<>());
  public final List<Ephemeral> ephemerals = Collections.synchronizedList(new ArrayList<>());
  public final Map<String, List<String>> userGroups = new ConcurrentHashMap<>();
  public final Map<String, String> usersByEmail = new ConcurrentHashMap<>();
  public final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
  /** Forced answers for the next calls: HTTP status (429 answers with Retry-After: 3). */
  public final ConcurrentLinkedDeque<Integer> failures = new ConcurrentLinkedDeque<>();
  public volatile boolean down;

  public FakeSlack(String token) throws IOException {
    this.token = token;
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/api/", this::handle);
    server.start();
  }

  public String apiUrl() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/api/";
  }

  public int calls(String method) {
    return calls.getOrDefault(method, new AtomicInteger()).get();
  }

  /** Messages with an Approve button of this rollout still on them. */
  public List<ObjectNode> openApprovals(String rolloutId) {
    synchronized (messages) {
      return messages.values().stream().filter(m -> m.path("blocks").toString().contains("\"action_id\":\"approve\"")
          && m.path("blocks").findValuesAsText("value").stream().anyMatch(v -> v.startsWith(rolloutId + "|"))).toList();
    }
  }

  private void handle(HttpExchange x) throws IOException {
    try (x) {
      String method = x.getRequestURI().getPath().substring("/api/".length());
      calls.computeIfAbsent(method, k -> new AtomicInteger()).incrementAndGet();
      Integer fail = down ? Integer.valueOf(503) : failures.poll();
      if (fail != null) {
        if (fail == 429) x.getResponseHeaders().add("Retry-After", "3");
        x.sendResponseHeaders(fail, -1);
        return;
      }
      if (!("Bearer " + token).equals(x.getRequestHeaders().getFirst("Authorization"))) {
        answer(x, Map.of("ok", false, "error", "invalid_auth"));
        return;
      }
      Map<String, String> p = form(new String(x.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
      switch (method) {
        case "chat.postMessage" -> {
          String ts = "1700000000." + String.format("%06d", nextTs.getAndIncrement());
          ObjectNode m = JSON.createObjectNode().put("type", "message").put("channel", p.get("channel")).put("ts", ts).put("text", p.get("text"));
          if (p.get("thread_ts") != null) m.put("thread_ts", p.get("thread_ts"));
          if (p.get("blocks") != null) m.set("blocks", JSON.readTree(p.get("blocks")));
          messages.put(ts, m);
          answer(x, Map.of("ok", true, "channel", p.get("channel"), "ts", ts, "message", m));
        }
        case "chat.update" -> {
          ObjectNode m = messages.get(p.get("ts"));
          if (m == null) {
            answer(x, Map.of("ok", false, "error", "message_not_found"));
            return;
          }
          m.put("text", p.get("text"));
          if (p.get("blocks") != null) m.set("blocks", JSON.readTree(p.get("blocks")));
          answer(x, Map.of("ok", true, "channel", p.get("channel"), "ts", p.get("ts")));
        }
        case "chat.postEphemeral" -> {
          ephemerals.add(new Ephemeral(p.get("channel"), p.get("user"), p.get("text")));
          answer(x, Map.of("ok", true, "message_ts", "1700000001.000001"));
        }
        case "conversations.replies" -> {
          ArrayNode list = JSON.createArrayNode();
          synchronized (messages) {
            messages.values().stream().filter(m -> p.get("ts").equals(m.path("ts").asText()) || p.get("ts").equals(m.path("thread_ts").asText()))
                .forEach(list::add);
          }
          answer(x, Map.of("ok", true, "messages", list, "has_more", false));
        }
        case "usergroups.users.list" -> {
          List<String> users = userGroups.get(p.get("usergroup"));
          answer(x, users == null ? Map.of("ok", false, "error", "no_such_subteam") : Map.of("ok", true, "users", users));
        }
        case "users.lookupByEmail" -> {
          String id = usersByEmail.get(p.get("email"));
          answer(x, id == null ? Map.of("ok", false, "error", "users_not_found") : Map.of("ok", true, "user", Map.of("id", id)));
        }
        default -> answer(x, Map.of("ok", false, "error", "unknown_method"));
      }
    }
  }

  private static Map<String, String> form(String body) {
    Map<String, String> out = new HashMap<>();
    if (body.isBlank()) return out;
    for (String pair : body.split("&")) {
      int eq = pair.indexOf('=');
      if (eq > 0) out.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8), URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
    }
    return out;
  }

  private static void answer(HttpExchange x, Object body) throws IOException {
    byte[] bytes = JSON.writeValueAsBytes(body);
    x.getResponseHeaders().add("Content-Type", "application/json; charset=utf-8");
    x.sendResponseHeaders(200, bytes.length);
    x.getResponseBody().write(bytes);
  }

  static JsonNode tree(Object o) {
    return JSON.valueToTree(o);
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
