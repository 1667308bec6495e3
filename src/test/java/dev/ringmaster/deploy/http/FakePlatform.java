package dev.ringmaster.deploy.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A deploy webhook receiver as a platform team would write one from the README: it verifies every request's
 * signature (its own HMAC code, not Ringmaster's), de-duplicates by Idempotency-Key, and reports a deploy's state
 * pending a few times, then ready (the version then runs) or failed. Answers can be forced (4xx, 5xx, 429).
 */
public final class FakePlatform implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  public record Accepted(String action, String version, String rolloutId, String idempotencyKey) {}

  private record Deployment(String version, AtomicInteger pendingPolls, String outcome, String message) {}

  private final HttpServer server;
  private final byte[] secret;
  public volatile String running;
  public volatile int pendingPolls = 2;
  public volatile String outcome = "ready";
  public volatile String failureMessage = "readiness probe failed: HTTP 503 on /healthz";
  /** Forced answers for the next requests, in order: status code and JSON body (and Retry-After for 429). */
  public final ConcurrentLinkedDeque<int[]> forced = new ConcurrentLinkedDeque<>();
  public final List<Accepted> accepted = Collections.synchronizedList(new ArrayList<>());
  public final AtomicInteger verified = new AtomicInteger();
  public final AtomicInteger rejected = new AtomicInteger();
  private final Map<String, String> byIdempotencyKey = Collections.synchronizedMap(new LinkedHashMap<>());
  private final Map<String, Deployment> deployments = Collections.synchronizedMap(new LinkedHashMap<>());

  public FakePlatform(String secret, String running) throws IOException {
    this.secret = secret.getBytes(StandardCharsets.UTF_8);
    this.running = running;
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", this::handle);
    server.start();
  }

  public String url(String path) {
    return "http://127.0.0.1:" + server.getAddress().getPort() + path;
  }

  private void handle(HttpExchange x) throws IOException {
    try (x) {
      byte[] raw = x.getRequestBody().readAllBytes();
      if (!signatureValid(x, raw)) {
        rejected.incrementAndGet();
        answer(x, 401, Map.of("error", "invalid or stale signature"));
        return;
      }
      verified.incrementAndGet();
      int[] force = forced.poll();
      if (force != null) {
        if (force[0] == 429) x.getResponseHeaders().add("Retry-After", Integer.toString(force[1]));
        answer(x, force[0], Map.of("error", force[0] == 422 ? "unknown service 'checkout' in environment prod" : "platform busy"));
        return;
      }
      String path = x.getRequestURI().getPath();
      if (x.getRequestMethod().equals("GET") && path.equals("/version")) {
        if (running == null) answer(x, 404, Map.of("error", "nothing runs"));
        else answer(x, 200, Map.of("version", running));
      } else if (x.getRequestMethod().equals("POST") && path.equals("/deploy")) {
        JsonNode body = JSON.readTree(raw);
        String key = x.getRequestHeaders().getFirst("Idempotency-Key");
        String id = byIdempotencyKey.computeIfAbsent(key, k -> {
          String newId = "d" + (deployments.size() + 1);
          accepted.add(new Accepted(body.get("action").asText(), body.get("version").asText(), body.get("rolloutId").asText(), key));
          deployments.put(newId, new Deployment(body.get("version").asText(), new AtomicInteger(pendingPolls), outcome, failureMessage));
          return newId;
        });
        answer(x, 202, Map.of("id", id, "statusUrl", "/deployments/" + id));
      } else if (x.getRequestMethod().equals("GET") && path.startsWith("/deployments/")) {
        Deployment d = deployments.get(path.substring("/deployments/".length()));
        if (d == null) {
          answer(x, 404, Map.of("error", "no such deployment"));
        } else if (d.pendingPolls().getAndDecrement() > 0) {
          answer(x, 200, Map.of("state", "pending", "message", "2 of 3 pods ready"));
        } else if (d.outcome().equals("ready")) {
          running = d.version();
          answer(x, 200, Map.of("state", "ready"));
        } else {
          answer(x, 200, Map.of("state", d.outcome(), "message", d.message()));
        }
      } else {
        answer(x, 404, Map.of("error", "no route " + x.getRequestMethod() + " " + path));
      }
    } catch (RuntimeException e) {
      answer(x, 500, Map.of("error", e.toString()));
    }
  }

  /** The README's scheme: HMAC-SHA256 over "v1:" + timestamp + ":" + body, timestamp within 5 minutes. */
  private boolean signatureValid(HttpExchange x, byte[] body) {
    String timestamp = x.getRequestHeaders().getFirst("X-Ringmaster-Timestamp");
    String signature = x.getRequestHeaders().getFirst("X-Ringmaster-Signature");
    if (timestamp == null || signature == null) return false;
    try {
      if (Math.abs(System.currentTimeMillis() / 1000 - Long.parseLong(timestamp)) > 300) return false;
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret, "HmacSHA256"));
      mac.update(("v1:" + timestamp + ":").getBytes(StandardCharsets.UTF_8));
      String expected = "v1=" + HexFormat.of().formatHex(mac.doFinal(body));
      return MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8), signature.getBytes(StandardCharsets.UTF_8));
    } catch (Exception e) {
      return false;
    }
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
