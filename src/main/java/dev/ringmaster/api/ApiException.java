package dev.ringmaster.api;

import java.util.List;
import org.springframework.http.HttpStatus;

/** An error the API answers with as {@code {"error": ..., "details": [...]}}. */
class ApiException extends RuntimeException {
  final HttpStatus status;
  final List<String> details;

  ApiException(HttpStatus status, String message, List<String> details) {
    super(message);
    this.status = status;
    this.details = List.copyOf(details);
  }

  ApiException(HttpStatus status, String message) {
    this(status, message, List.of());
  }

  static ApiException notFound(String id) {
    return new ApiException(HttpStatus.NOT_FOUND, "no rollout with id '" + id + "'",
        List.of("rollout IDs look like rollout-<service>-<version>; GET /api/rollouts lists them"));
  }
}
