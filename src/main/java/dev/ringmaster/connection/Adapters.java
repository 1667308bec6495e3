package dev.ringmaster.connection;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The selection point of one port: connection name → connection kind → adapter, created once per connection.
 * This is the only place where a kind is mapped to an adapter.
 */
public class Adapters<P> {
  private final String portName;
  private final ConnectionRegistry connections;
  private final Map<String, AdapterFactory<P>> factories;
  private final Map<String, P> instances = new ConcurrentHashMap<>();

  public Adapters(String portName, ConnectionRegistry connections, List<? extends AdapterFactory<P>> factories) {
    this.portName = portName;
    this.connections = connections;
    this.factories = factories.stream().collect(Collectors.toMap(AdapterFactory::kind, Function.identity()));
  }

  public Set<String> kinds() {
    return new TreeSet<>(factories.keySet());
  }

  /** @throws PermanentFailure when the connection is unknown or its kind has no adapter for this port */
  public P forConnection(String connectionName) {
    return instances.computeIfAbsent(connectionName, name -> {
      Connection c = connections.get(name);
      AdapterFactory<P> f = factories.get(c.kind());
      if (f == null) {
        throw new PermanentFailure("connection '" + name + "' is of kind '" + c.kind() + "', which has no " + portName
            + " adapter; available: " + String.join(", ", kinds()));
      }
      return f.create(c);
    });
  }
}
