package dev.ringmaster.rollouts;

import dev.ringmaster.connection.Globs;
import dev.ringmaster.rollouts.CommandRefused.Reason;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Who asks for a command and through which entry point ({@code rest}, {@code cli}, {@code slack}): the identity an
 * entry point authenticated (a REST token's identity, a Slack user), its {@link Role roles} and the services it may
 * act on ({@code services}: globs such as {@code payments-*}; empty = every service). {@code groups} are the approver
 * groups the entry point found the caller in (membership lookups are I/O, so they happen here, not in the workflow).
 */
public record Caller(String identity, String source, List<String> groups, Set<Role> roles, List<String> services) {
  public Caller {
    groups = groups == null ? List.of() : List.copyOf(groups);
    roles = roles == null || roles.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(roles));
    services = services == null ? List.of() : List.copyOf(services);
  }

  /** A Slack user: Slack requests carry their own signature, and approver lists and operators decide what they may do. */
  public static Caller slack(String user, List<String> groups) {
    return new Caller(user, "slack", groups, EnumSet.allOf(Role.class), List.of());
  }

  public boolean has(Role role) {
    return roles.contains(role) || roles.contains(Role.ADMIN);
  }

  public boolean mayActOn(String service) {
    return services.isEmpty() || Globs.matchesAny(services, service);
  }

  /** Refused (403) unless the caller has {@code role} for {@code service} (null: no service involved yet). */
  public void require(Role role, String service, String action) {
    if (!has(role)) {
      throw new CommandRefused(Reason.FORBIDDEN, identity + " may not " + action + ": the role '" + role.label() + "' is missing",
          List.of(identity + " has " + (roles.isEmpty() ? "no roles" : "roles " + roles.stream().map(Role::label).sorted().collect(Collectors.joining(", ")))));
    }
    if (service != null && !mayActOn(service)) {
      throw new CommandRefused(Reason.FORBIDDEN, identity + " may not " + action + " of service '" + service + "': outside its service scopes",
          List.of(identity + " is scoped to " + services));
    }
  }
}
