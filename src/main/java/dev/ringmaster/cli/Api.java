package dev.ringmaster.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;

/** Ringmaster's REST API as the CLI calls it: bearer token, JSON, and the two ways a call can end without an answer. */
final class Api {
  static final ObjectMapper JSON = new ObjectMapper();

  /** The server answered with an error status ({@code {"error", "details"}}). */
  static final class Refused extends Exception {
    final int status;
    final JsonNode body;

    Refused(int status, JsonNode body) {
      super(status + " " + (body == null ? "" : body.path("error").asText()));
      this.status = status;
      this.body = body;
    }
  }

  /** Ringmaster could not be reached (connection refused, timeout, 503 for Temporal down). */
  static final class Unreachable extends Exception {
    Unreachable(String message) {
      super(message);
    }
  }

  private static final int RETRIES_AFTER_503 = 3;
  private final String baseUrl;
  private final String token;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  Api(String baseUrl, String token) {
    this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
    this.token = token;
  }

  JsonNode get(String path) throws Refused, Unreachable {
    return send("GET", path, null);
  }

  JsonNode post(String path, JsonNode body) throws Refused, Unreachable {
    return send("POST", path, body);
  }

  private JsonNode send(String method, String path, JsonNode body) throws Refused, Unreachable {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(Duration.ofSeconds(30))
        .header("Accept", "application/json").header("X-Ringmaster-Client", "cli");
    if (token != null && !token.isBlank()) b.header("Authorization", "Bearer " + token.strip());
    try {
      b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
      if (body != null) b.header("Content-Type", "application/json");
      HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
      // 503 with Retry-After: nothing was changed and the rollout can be read again shortly (its worker was just
      // replaced); sending the same request again is safe. A few times, then the 503 is the answer.
      for (int again = 0; r.statusCode() == 503 && again < RETRIES_AFTER_503; again++) {
        long seconds = r.headers().firstValueAsLong("Retry-After").orElse(-1);
        if (seconds < 0 || seconds > 30) break;
        Thread.sleep(seconds * 1000);
        r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
      }
      JsonNode json = r.body() == null || r.body().isBlank() ? null : parse(r.body());
      if (r.statusCode() == 503) throw new Unreachable("Ringmaster at " + baseUrl + " answers 503: " + (json == null ? "" : json.path("error").asText()));
      if (r.statusCode() >= 400) throw new Refused(r.statusCode(), json);
      return json;
    } catch (ConnectException | HttpConnectTimeoutException e) {
      throw new Unreachable("Ringmaster at " + baseUrl + " is unreachable (" + e.getClass().getSimpleName() + "); is it running? (--url / RINGMASTER_URL)");
    } catch (HttpTimeoutException e) {
      throw new Unreachable("Ringmaster at " + baseUrl + " did not answer within 30 s");
    } catch (IOException e) {
      throw new Unreachable("Ringmaster at " + baseUrl + ": " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Unreachable("interrupted");
    }
  }

  private static JsonNode parse(String body) {
    try {
      return JSON.readTree(body);
    } catch (IOException notJson) {
      return JSON.createObjectNode().put("error", body.length() > 200 ? body.substring(0, 200) + "…" : body);
    }
  }
}
