package dev.ringmaster.connection;

/**
 * Creates the adapter for a port from a connection of one kind. Each adapter sub-package contributes one factory
 * bean; {@link Adapters} is the one place that chooses between them.
 */
public interface AdapterFactory<P> {
  /** The connection kind this factory serves, e.g. {@code flagd-file}. */
  String kind();

  P create(Connection connection);
}
