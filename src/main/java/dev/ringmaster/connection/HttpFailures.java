package dev.ringmaster.connection;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;

/**
 * Which answers of a provider's HTTP API are worth retrying, for the adapters that talk to one: bad credentials,
 * something missing and a refused request are {@link PermanentFailure}s (retrying cannot fix them); rate limits
 * (with their Retry-After) and server errors are retried by the activity.
 */
public final class HttpFailures {
  private static final ObjectMapper JSON = new ObjectMapper();

  private HttpFailures() {}

  /** The provider's own error message from an error body: {@code message}, or {@code details[0].message}, or the text. */
  public static String message(String body) {
    if (body == null || body.isBlank()) return "(no body)";
    try {
      JsonNode j = JSON.readTree(body);
      if (j.hasNonNull("message")) return j.get("message").asText();
      if (j.path("details").path(0).hasNonNull("message")) return j.path("details").path(0).get("message").asText();
    } catch (IOException notJson) {
      // fall through
    }
    return body.length() > 300 ? body.substring(0, 300) + " ..." : body;
  }

  /**
   * @param prefix what was being done, e.g. {@code "connection 'ld': LaunchDarkly, kill switch: "}
   * @param credentialsHint where to look after a 401/403, e.g. {@code "check the API token in the variable named by token-env"}
   * @param notFoundHint what a 404 probably means, e.g. {@code "does project 'shop' exist?"}
   */
  public static RuntimeException of(String prefix, int status, String message, String retryAfter, String credentialsHint, String notFoundHint) {
    return switch (status) {
      case 401, 403 -> new PermanentFailure(prefix + "answered " + status + " (" + credentialsHint + "): " + message);
      case 404 -> new PermanentFailure(prefix + "answered 404 (" + notFoundHint + "): " + message);
      case 400, 409, 422 -> new PermanentFailure(prefix + "answered " + status + ": " + message);
      case 429 -> new IllegalStateException(prefix + "answered 429" + (retryAfter == null ? "" : " (Retry-After: " + retryAfter + " s)") + ": " + message);
      default -> new IllegalStateException(prefix + "answered " + status + ": " + message);
    };
  }
}
