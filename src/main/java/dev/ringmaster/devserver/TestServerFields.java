package dev.ringmaster.devserver;

import java.lang.reflect.Field;

/**
 * The Java test server's private fields that the dev server reaches into (it has no API for them): read by
 * {@link StickyQueueReaper} and {@link TimeLockLedger}, pinned to the Temporal version in the pom. Each caller falls
 * back, with a warning, when a field is not there.
 */
final class TestServerFields {
  private TestServerFields() {}

  /** The field {@code name} declared by {@code type}, made accessible. */
  static Field field(Class<?> type, String name) throws NoSuchFieldException {
    Field f = type.getDeclaredField(name);
    f.setAccessible(true);
    return f;
  }

  /** The value of {@code owner}'s field {@code name}, declared by its own class. */
  static Object read(Object owner, String name) throws ReflectiveOperationException {
    return field(owner.getClass(), name).get(owner);
  }
}
