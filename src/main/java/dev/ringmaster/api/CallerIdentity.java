package dev.ringmaster.api;

import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

/**
 * Who is calling. Until API authentication exists, the caller names itself ({@code by}, {@code triggeredBy});
 * this is the one place that decides, so authentication replaces this class and nothing else.
 */
@Component
class CallerIdentity {
  String resolve(String claimed, String field) {
    if (claimed == null || claimed.isBlank()) {
      throw new ApiException(HttpStatus.BAD_REQUEST, "'" + field + "' is required: say who you are",
          List.of("e.g. {\"" + field + "\": \"alice\"}; API authentication will replace this"));
    }
    return claimed.strip();
  }

  /** Approver groups the caller belongs to; REST identities have none until authentication brings them. */
  List<String> groups(String identity) {
    return List.of();
  }
}
