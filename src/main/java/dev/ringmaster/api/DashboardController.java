package dev.ringmaster.api;

import dev.ringmaster.rollouts.Caller;
import jakarta.servlet.http.HttpServletRequest;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.ResponseBody;

/**
 * The dashboard's pages ({@code static/index.html}, {@code static/rollout.html}: plain HTML and JavaScript served from
 * the jar, reading the REST API with the token the user signs in with) and {@code GET /api/me}: who the token is, so a
 * page can disable what that identity may not do and say why. The pages themselves hold no data and need no token.
 */
@Controller
class DashboardController {
  private final CallerIdentity identity;
  private final String temporalUi;
  private final String namespace;

  DashboardController(CallerIdentity identity, @Value("${ringmaster.temporal.ui-url:}") String temporalUi,
      @Value("${spring.temporal.namespace:default}") String namespace) {
    this.identity = identity;
    this.temporalUi = temporalUi.endsWith("/") ? temporalUi.substring(0, temporalUi.length() - 1) : temporalUi;
    this.namespace = namespace;
  }

  @GetMapping("/rollouts/{id}")
  String rolloutPage(@PathVariable String id) {
    return "forward:/rollout.html";
  }

  @GetMapping("/api/me")
  @ResponseBody
  Map<String, Object> me(HttpServletRequest request) {
    Caller caller = identity.resolve(request);
    Map<String, Object> me = new LinkedHashMap<>();
    me.put("identity", caller.identity());
    me.put("roles", caller.roles().stream().map(r -> r.name().toLowerCase(java.util.Locale.ROOT)).sorted().toList());
    me.put("services", caller.services() == null ? List.of() : caller.services());
    me.put("temporalUi", temporalUi.isBlank() ? null : temporalUi + "/namespaces/" + namespace + "/workflows/");
    return me;
  }
}
