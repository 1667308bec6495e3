package dev.ringmaster.connection;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;

/**
 * The HTTP settings every HTTP adapter reads the same way from its connection: {@code url} (a trailing slash
 * dropped), the token from the variable named by {@code token-env} (sent as the {@code Authorization} header, raw or
 * with a scheme), {@code timeout} per request; and one way to send a request, so an unreachable server reads the same
 * for every provider. The answer's status, body and {@code Retry-After} go to {@link HttpFailures} for classification.
 * (Spring's {@code RestClient} was considered: with this type each adapter's send is a few lines either way, and the
 * adapters keep taking a plain {@code java.net.http.HttpClient} through their constructor, as their tests do.)
 */
public record HttpEndpoint(String connection, String system, String base, String authorization, Duration timeout) {
  public record Answer(int status, String body, String retryAfter) {}

  /**
   * @param defaultUrl used when the connection has no {@code url}; null when {@code url} is required
   * @param scheme prefix of the token in the Authorization header ({@code "Bearer "}, or {@code ""} for a raw token)
   * @param tokenRequired whether {@code token-env} must be set; an optional token is sent only when configured
   */
  public static HttpEndpoint of(Connection c, String system, String defaultUrl, String scheme, boolean tokenRequired) {
    String url = defaultUrl == null ? c.require("url") : c.setting("url").orElse(defaultUrl);
    String token = tokenRequired || c.setting("token-env").isPresent() ? c.secret("token") : null;
    return new HttpEndpoint(c.name(), system, url.endsWith("/") ? url.substring(0, url.length() - 1) : url,
        token == null ? null : scheme + token, c.duration("timeout", Duration.ofSeconds(10)));
  }

  /** A request to {@code base + path}, with the timeout, the Authorization header (if any) and {@code Accept: application/json}. */
  public HttpRequest.Builder request(String path) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(timeout).header("Accept", "application/json");
    if (authorization != null) b.header("Authorization", authorization);
    return b;
  }

  /** Sends it; an unreachable server is an {@link IllegalStateException} naming the connection (retried by the activity). */
  public Answer send(HttpClient http, HttpRequest request) {
    try {
      HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
      Optional<String> retryAfter = r.headers().firstValue("Retry-After");
      return new Answer(r.statusCode(), r.body() == null ? "" : r.body(), retryAfter.orElse(null));
    } catch (IOException e) {
      throw new IllegalStateException("connection '" + connection + "': " + system + " at " + base + " is unreachable: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while calling " + system, e);
    }
  }

  @Override
  public String toString() {
    // The Authorization header holds a secret: never in a log line or a message.
    return "HttpEndpoint[" + connection + ": " + system + " at " + base + ", timeout " + timeout + "]";
  }
}
