package dev.ringmaster.api;

import dev.ringmaster.auth.ApiTokens;
import dev.ringmaster.rollouts.Caller;
import dev.ringmaster.rollouts.CommandRefused;
import dev.ringmaster.rollouts.CommandRefused.Reason;
import jakarta.servlet.http.HttpServletRequest;
import java.util.List;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.stereotype.Component;

/**
 * Who is calling the REST API: the holder of the bearer token (see {@link dev.ringmaster.auth.SecurityConfig}). A
 * body's {@code by} / {@code triggeredBy} may be left out; when it names someone else, the call is refused: nobody
 * approves as alice with bob's token. The source is {@code cli} for the Ringmaster CLI, {@code dashboard} for the web pages, else {@code rest}.
 */
@Component
class CallerIdentity {
  static final String CLIENT_HEADER = "X-Ringmaster-Client";

  Caller resolve(HttpServletRequest request, String claimed, String field) {
    Authentication auth = SecurityContextHolder.getContext().getAuthentication();
    if (auth == null || !(auth.getPrincipal() instanceof ApiTokens.Holder holder)) {
      throw new CommandRefused(Reason.UNAUTHENTICATED, "authentication required: send 'Authorization: Bearer <token>'");
    }
    if (claimed != null && !claimed.isBlank() && !claimed.strip().equals(holder.identity())) {
      throw new CommandRefused(Reason.FORBIDDEN, "'" + field + "' says '" + claimed.strip() + "' but the token belongs to " + holder.identity(),
          List.of("the identity comes from the token; leave '" + field + "' out"));
    }
    String client = request.getHeader(CLIENT_HEADER);
    String source = "cli".equalsIgnoreCase(client) ? "cli" : "dashboard".equalsIgnoreCase(client) ? "dashboard" : "rest";
    return new Caller(holder.identity(), source, List.of(), holder.roles(), holder.services());
  }

  Caller resolve(HttpServletRequest request) {
    return resolve(request, null, null);
  }
}
