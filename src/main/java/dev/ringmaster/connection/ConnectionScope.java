package dev.ringmaster.connection;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Who may use a connection and where it may deploy, from its settings:
 * <pre>
 *   services: [checkout, payments-*]     # metadata.service must match one (glob: * matches anything)
 *   domains: [shop]                      # metadata.domain must match one
 *   target:                              # deploy connections: constraints on spec.deploy.target
 *     namespace: shop                    # one literal value pins it: a definition may omit it or name exactly it
 *     deployment: [checkout-api, checkout-worker]
 *     image: registry.example.com/shop/*
 * </pre>
 * A list may also be one comma-separated value (environment variables). A connection without {@code services} and
 * {@code domains} may be used by every definition; every list it declares must match.
 */
public record ConnectionScope(String connection, List<String> services, List<String> domains, Map<String, List<String>> target) {

  static ConnectionScope of(Connection c) {
    Map<String, List<String>> target = new LinkedHashMap<>();
    for (String key : c.settings().keySet()) {
      if (!key.startsWith("target.")) continue;
      String field = key.substring("target.".length());
      int dot = field.indexOf('.');
      if (dot > 0) field = field.substring(0, dot);
      target.computeIfAbsent(field, f -> c.list("target." + f));
    }
    return new ConnectionScope(c.name(), c.list("services"), c.list("domains"), target);
  }

  /** Why {@code service} in {@code domain} may not use this connection, or empty when it may. */
  public Optional<String> refusal(String service, String domain) {
    if (!services.isEmpty() && (service == null || !matchesAny(services, service))) {
      return Optional.of("connection '" + connection + "' may not be used by service '" + service + "' (it allows services " + services + ")");
    }
    if (!domains.isEmpty() && (domain == null || !matchesAny(domains, domain))) {
      return Optional.of("connection '" + connection + "' may not be used in domain '" + domain + "' (it allows domains " + domains + ")");
    }
    return Optional.empty();
  }

  /** Problems of a definition's deploy target under this connection's constraints, by target field. */
  public Map<String, String> targetProblems(Map<String, String> requested) {
    Map<String, String> problems = new LinkedHashMap<>();
    target.forEach((field, allowed) -> {
      String value = requested.get(field);
      if (value == null) {
        if (pinned(allowed).isEmpty()) problems.put(field, "is required by connection '" + connection + "', one of " + allowed);
      } else if (!matchesAny(allowed, value)) {
        problems.put(field, "'" + value + "' is not allowed by connection '" + connection + "' (allowed: " + allowed + ")");
      }
    });
    return problems;
  }

  /** The requested target with the connection's pinned fields filled in; refused when it breaks a constraint. */
  public Map<String, String> apply(Map<String, String> requested) {
    Map<String, String> problems = targetProblems(requested);
    if (!problems.isEmpty()) {
      List<String> lines = new ArrayList<>();
      problems.forEach((f, p) -> lines.add("spec.deploy.target." + f + " " + p));
      throw new PermanentFailure(String.join("; ", lines));
    }
    Map<String, String> out = new LinkedHashMap<>(requested);
    target.forEach((field, allowed) -> pinned(allowed).ifPresent(v -> out.putIfAbsent(field, v)));
    return out;
  }

  private static Optional<String> pinned(List<String> allowed) {
    return allowed.size() == 1 && !allowed.get(0).contains("*") ? Optional.of(allowed.get(0)) : Optional.empty();
  }

  private static boolean matchesAny(List<String> globs, String value) {
    return Globs.matchesAny(globs, value);
  }
}
