package dev.ringmaster.deploy.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ringmaster.connection.Connection;
import dev.ringmaster.connection.PermanentFailure;
import dev.ringmaster.definition.Durations;
import dev.ringmaster.deploy.DeployOutcome;
import dev.ringmaster.deploy.DeployTarget;
import dev.ringmaster.deploy.Deployer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;

/**
 * Deploys through a webhook. {@code POST <deploy-url>} with {@code {"action": "deploy"|"rollback", "service",
 * "version", "previousVersion", "rolloutId", "target"}}, signed (see {@link RequestSigner}) and carrying an
 * {@code Idempotency-Key} ({@code <rolloutId>/<action>/<version>}) so a retried activity does not deploy twice.
 * The answer (2xx) may say {@code {"state": "ready"}} at once, or give a {@code statusUrl} (else the connection's
 * {@code status-url} template with {@code {rolloutId}}, {@code {version}}, {@code {id}}) that is polled until
 * {@code {"state": "ready"}}, {@code {"state": "failed", "message": …}} or the deadline. The running version comes
 * from {@code GET <current-version-url>} answering {@code {"version": …}} (404: nothing runs).
 *
 * <p>Errors: 401, 403, 404 and 422 are permanent, with the receiver's message; 429 (its {@code Retry-After} is
 * reported), 5xx, timeouts and refused connections are retried by the activity.
 */
final class HttpDeployer implements Deployer {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<Integer> PERMANENT = Set.of(400, 401, 403, 404, 405, 409, 410, 422);

  private final Connection connection;
  private final HttpClient http;
  private final RequestSigner signer;
  private final Duration pollInterval;
  private final Duration deadline;
  private final Duration requestTimeout;

  HttpDeployer(Connection connection, HttpClient http, Clock clock) {
    this.connection = connection;
    this.http = http;
    this.signer = new RequestSigner(connection.secret("secret"), clock);
    this.pollInterval = connection.duration("poll-interval", Duration.ofSeconds(2));
    this.deadline = connection.duration("deadline", Duration.ofMinutes(10));
    this.requestTimeout = connection.duration("request-timeout", Duration.ofSeconds(10));
  }

  @Override
  public Optional<String> currentVersion(DeployTarget target) {
    String url = expand(connection.require("current-version-url"), target, "", "");
    Answer a = send("GET", url, "", null);
    if (a.status == 404) return Optional.empty();
    check(a, "GET " + url);
    String v = a.json.path("version").asText("");
    return v.isBlank() ? Optional.empty() : Optional.of(v);
  }

  @Override
  public DeployOutcome deploy(DeployTarget target, String version) {
    return roll(target, "deploy", version);
  }

  @Override
  public DeployOutcome rollback(DeployTarget target, String previousVersion) {
    return roll(target, "rollback", previousVersion);
  }

  private DeployOutcome roll(DeployTarget target, String action, String version) {
    long started = System.nanoTime();
    ObjectNode body = JSON.createObjectNode()
        .put("action", action).put("service", target.service()).put("version", version).put("rolloutId", target.rolloutId());
    body.set("target", JSON.valueToTree(target.target()));
    String url = connection.require("deploy-url");
    Answer accepted = send("POST", url, body.toString(), target.rolloutId() + "/" + action + "/" + version);
    check(accepted, "POST " + url);
    String id = accepted.json.path("id").asText("");
    String result;
    if ("ready".equals(accepted.json.path("state").asText())) {
      result = "ready at once";
    } else {
      String statusUrl = accepted.json.hasNonNull("statusUrl") ? accepted.json.get("statusUrl").asText()
          : connection.setting("status-url").map(t -> expand(t, target, version, id))
              .orElseThrow(() -> new PermanentFailure("connection '" + connection.name() + "': the receiver answered neither "
                  + "{\"state\": \"ready\"} nor a statusUrl, and the connection has no status-url to poll"));
      result = poll(URI.create(url).resolve(statusUrl).toString(), version);
    }
    return new DeployOutcome(null, version, Duration.ofNanos(System.nanoTime() - started), action + " " + version + ": " + result);
  }

  private String poll(String statusUrl, String version) {
    long until = System.nanoTime() + deadline.toNanos();
    int polls = 0;
    while (true) {
      Answer a = send("GET", statusUrl, "", null);
      check(a, "GET " + statusUrl);
      polls++;
      String state = a.json.path("state").asText("");
      String message = a.json.path("message").asText("");
      switch (state) {
        case "ready" -> {
          return "ready after " + polls + " status check(s)" + (message.isEmpty() ? "" : ": " + message);
        }
        case "failed" -> throw new PermanentFailure("connection '" + connection.name() + "': the deploy of " + version + " failed: "
            + (message.isEmpty() ? "(no message)" : message));
        default -> {
          if (System.nanoTime() > until) {
            throw new PermanentFailure("connection '" + connection.name() + "': " + version + " was not ready within "
                + Durations.format(deadline) + "; last state '" + state + "'" + (message.isEmpty() ? "" : ": " + message));
          }
        }
      }
      try {
        Thread.sleep(pollInterval.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while polling " + statusUrl, e);
      }
    }
  }

  private static String expand(String template, DeployTarget target, String version, String id) {
    return template.replace("{service}", target.service()).replace("{rolloutId}", target.rolloutId())
        .replace("{version}", version).replace("{id}", id);
  }

  private record Answer(int status, JsonNode json, String body, Optional<String> retryAfter) {}

  private Answer send(String method, String url, String body, String idempotencyKey) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(requestTimeout).header("Accept", "application/json");
    signer.sign(body).forEach(b::header);
    if (idempotencyKey != null) b.header("Idempotency-Key", idempotencyKey);
    if (method.equals("POST")) {
      b.header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
    } else {
      b.GET();
    }
    try {
      HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
      JsonNode json;
      try {
        json = r.body() == null || r.body().isBlank() ? JSON.createObjectNode() : JSON.readTree(r.body());
      } catch (IOException notJson) {
        json = JSON.createObjectNode();
      }
      return new Answer(r.statusCode(), json, r.body(), r.headers().firstValue("Retry-After"));
    } catch (IOException e) {
      throw new UncheckedIOException("connection '" + connection.name() + "': " + method + " " + url + " failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted during " + method + " " + url, e);
    }
  }

  private void check(Answer a, String what) {
    if (a.status / 100 == 2) return;
    String message = a.json.hasNonNull("error") ? a.json.get("error").asText()
        : a.json.hasNonNull("message") ? a.json.get("message").asText() : shorten(a.body);
    String prefix = "connection '" + connection.name() + "': " + what + " answered " + a.status + ": " + message;
    if (PERMANENT.contains(a.status)) throw new PermanentFailure(prefix);
    if (a.status == 429) throw new IllegalStateException(prefix + a.retryAfter.map(s -> " (Retry-After: " + s + " s)").orElse(""));
    throw new IllegalStateException(prefix);
  }

  private static String shorten(String s) {
    if (s == null) return "";
    return s.length() > 500 ? s.substring(0, 500) + " ..." : s;
  }
}
