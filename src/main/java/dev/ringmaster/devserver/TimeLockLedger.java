package dev.ringmaster.devserver;

import java.lang.reflect.Field;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedList;
import java.util.List;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.locks.Lock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Java test server's list of time-lock events, kept so that it stops costing more with every step it ever ran.
 *
 * <p>The test server's clock ({@code SelfAdvancingTimerImpl}) records every lock and unlock of time skipping in a
 * {@code LinkedList} "for debugging purposes only". Only the events of lock handles are ever removed (when the
 * handle unlocks, by a search from the head of the list); the rest stay: an unlock event per unlock, a lock event per
 * lock taken without a handle (one per activity scheduled, among others). So the list grows for as long as the
 * server runs, and every handle's unlock (every heartbeat, every task completed) walks past all of it: with 1,000
 * rollouts soaking, half of the test server's CPU went to {@code LinkedList.remove} (BENCHMARKS.md, "1,000 rollouts
 * soaking on one worker").
 *
 * <p>This list keeps an event only while something can still remove it: a weak set of events, which a lock handle
 * holds until it unlocks. Adding and removing are constant time; an event nobody holds goes with the garbage
 * collector. What the test server reads back stays true: {@code remove} finds a live handle's event, and its
 * diagnostics list the events still held. Installed by reflection (the field has no API); if the field is not there
 * (another test server version), the server runs with its own list and a warning.
 */
final class TimeLockLedger extends LinkedList<Object> {
  private static final Logger log = LoggerFactory.getLogger(TimeLockLedger.class);
  private final Set<Object> held = Collections.newSetFromMap(new WeakHashMap<>()); // its events compare by identity
  private long added;

  /** Replaces the list of the clock of {@code workflowService} (a {@code TestWorkflowService}), or warns that it cannot. */
  static void install(Object workflowService) {
    try {
      Object timer = timer(workflowService);
      Field events = TestServerFields.field(timer.getClass(), "lockEvents");
      Lock lock = (Lock) TestServerFields.read(timer, "lock");
      lock.lock();
      try {
        TimeLockLedger ledger = new TimeLockLedger();
        ((List<?>) events.get(timer)).forEach(ledger::add);
        events.set(timer, ledger);
      } finally {
        lock.unlock();
      }
    } catch (ReflectiveOperationException | RuntimeException e) {
      log.warn("the test server's time-lock list could not be replaced ({}); it grows with every step, and so does its CPU", e.toString());
    }
  }

  /** The clock of the test server behind {@code workflowService}. */
  private static Object timer(Object workflowService) throws ReflectiveOperationException {
    return TestServerFields.read(workflowService, "selfAdvancingTimer");
  }

  // The test server calls these under its clock's lock; synchronized as well, for the garbage collector's cleanup.
  @Override
  public synchronized boolean add(Object event) {
    added++;
    held.add(event);
    return true;
  }

  @Override
  public synchronized boolean remove(Object event) {
    return held.remove(event);
  }

  /** Every event the test server recorded, kept or not. */
  synchronized long added() {
    return added;
  }

  /** The ledger of the test server behind {@code workflowService}, if installed. */
  static TimeLockLedger of(Object workflowService) throws ReflectiveOperationException {
    return TestServerFields.read(timer(workflowService), "lockEvents") instanceof TimeLockLedger l ? l : null;
  }

  @Override
  public synchronized int size() {
    return held.size();
  }

  @Override
  public synchronized Iterator<Object> iterator() {
    return List.copyOf(held).iterator();
  }
}
