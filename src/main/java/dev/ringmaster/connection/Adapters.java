package dev.ringmaster.connection;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.Timer;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The selection point of one port: connection name → connection kind → adapter, created once per connection.
 * This is the only place where a kind is mapped to an adapter, and so the one place every adapter call is measured:
 * {@code ringmaster.adapter.calls} (a timer by port, connection kind, operation and outcome: ok, failed, or
 * permanent for a {@link PermanentFailure}) on Spring Boot's registries through Micrometer's global one.
 */
public class Adapters<P> {
  private final String portName;
  private final ConnectionRegistry connections;
  private final Map<String, AdapterFactory<P>> factories;
  private final Map<String, P> instances = new ConcurrentHashMap<>();
  private final MeterRegistry meters;

  public Adapters(String portName, ConnectionRegistry connections, List<? extends AdapterFactory<P>> factories) {
    this(portName, connections, factories, Metrics.globalRegistry);
  }

  public Adapters(String portName, ConnectionRegistry connections, List<? extends AdapterFactory<P>> factories, MeterRegistry meters) {
    this.portName = portName;
    this.meters = meters;
    this.connections = connections;
    this.factories = factories.stream().collect(Collectors.toMap(AdapterFactory::kind, Function.identity()));
  }

  public Set<String> kinds() {
    return new TreeSet<>(factories.keySet());
  }

  /** The connection's configuration (its adapter's own settings, e.g. a metric source's tripwire cadence). */
  public Connection connection(String connectionName) {
    return connections.get(connectionName);
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
      return measured(f.create(c), c.kind());
    });
  }

  /** The adapter behind a proxy of all its interfaces that times each call; Object's own methods pass through. */
  @SuppressWarnings("unchecked")
  private P measured(P adapter, String kind) {
    Set<Class<?>> interfaces = new LinkedHashSet<>();
    for (Class<?> c = adapter.getClass(); c != null; c = c.getSuperclass()) interfaces.addAll(List.of(c.getInterfaces()));
    if (interfaces.isEmpty()) return adapter;
    return (P) Proxy.newProxyInstance(adapter.getClass().getClassLoader(), interfaces.toArray(Class<?>[]::new),
        (proxy, method, args) -> method.getDeclaringClass() == Object.class ? method.invoke(adapter, args) : timed(adapter, kind, method, args));
  }

  private Object timed(Object adapter, String kind, Method method, Object[] args) throws Throwable {
    long start = System.nanoTime();
    String outcome = "failed";
    try {
      Object result = method.invoke(adapter, args);
      outcome = "ok";
      return result;
    } catch (InvocationTargetException e) {
      if (e.getCause() instanceof PermanentFailure) outcome = "permanent";
      throw e.getCause();
    } finally {
      Timer.builder("ringmaster.adapter.calls").description("Calls from Ringmaster's activities to its adapters (flag providers, deployers, metric sources, migration runners)")
          .tag("port", portName).tag("kind", kind).tag("operation", method.getName()).tag("outcome", outcome)
          .register(meters).record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
    }
  }
}
