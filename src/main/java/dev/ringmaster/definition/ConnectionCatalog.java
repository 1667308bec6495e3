package dev.ringmaster.definition;

import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** What the validator needs to know about configured connections: their kinds, and which kinds each port has adapters for. */
public interface ConnectionCatalog {

  enum Port {
    FLAGS("spec.flag.connection"),
    DEPLOY("spec.deploy.connection"),
    ANALYSIS("spec.analysis.connection"),
    MIGRATION("spec.migration.connection");

    public final String definitionPath;

    Port(String definitionPath) {
      this.definitionPath = definitionPath;
    }
  }

  /** The kind of the named connection, empty when no such connection is configured. */
  Optional<String> kindOf(String connectionName);

  /** Names of all configured connections, for hints. */
  Set<String> names();

  /** The connection kinds this build has an adapter for on the given port. */
  Set<String> kindsFor(Port port);

  /** Why a definition of {@code service} in {@code domain} may not use the connection (its scope), empty when it may. */
  default Optional<String> scopeRefusal(String connectionName, String service, String domain) {
    return Optional.empty();
  }

  /** What the connection's deploy target constraints say about {@code target}, by target field; empty when it is fine. */
  default Map<String, String> targetProblems(String connectionName, Map<String, String> target) {
    return Map.of();
  }
}
