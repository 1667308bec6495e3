package dev.ringmaster.connection;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/** The connections configured under {@code ringmaster.connections}, by name. */
public class ConnectionRegistry {
  private final Map<String, Connection> byName = new LinkedHashMap<>();

  public ConnectionRegistry(Map<String, Map<String, String>> configured) {
    configured.forEach((name, settings) -> {
      Map<String, String> s = new LinkedHashMap<>(settings);
      String kind = s.remove("kind");
      if (kind == null || kind.isBlank()) {
        throw new IllegalStateException("ringmaster.connections." + name + " has no 'kind'");
      }
      byName.put(name, new Connection(name, kind, s));
      Redactor.alsoSecret(s.entrySet().stream().filter(e -> e.getKey().endsWith("-env")).map(Map.Entry::getValue).toList());
    });
  }

  public Optional<Connection> find(String name) {
    return Optional.ofNullable(byName.get(name));
  }

  public Connection get(String name) {
    return find(name).orElseThrow(() -> new PermanentFailure("connection '" + name + "' is not configured under ringmaster.connections"));
  }

  public Set<String> names() {
    return new TreeSet<>(byName.keySet());
  }
}
