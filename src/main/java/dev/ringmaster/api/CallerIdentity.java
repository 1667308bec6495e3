package dev.ringmaster.api;

import dev.ringmaster.rollouts.Caller;
import dev.ringmaster.rollouts.CommandRefused;
import dev.ringmaster.rollouts.CommandRefused.Reason;
import java.util.List;
import org.springframework.stereotype.Component;

/**
 * Who is calling the REST API. Until API authentication exists, the caller names itself ({@code by},
 * {@code triggeredBy}); this is the one place that decides, so authentication replaces this class and nothing else.
 */
@Component
class CallerIdentity {
  Caller resolve(String claimed, String field) {
    if (claimed == null || claimed.isBlank()) {
      throw new CommandRefused(Reason.INVALID, "'" + field + "' is required: say who you are",
          List.of("e.g. {\"" + field + "\": \"alice\"}; API authentication will replace this"));
    }
    // REST identities belong to no approver groups until authentication brings them.
    return Caller.of(claimed.strip(), "rest");
  }
}
