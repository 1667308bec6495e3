package dev.ringmaster.flags;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Kill switches of one connection, committed as a group: the caller that finds the connection idle turns its flag
 * off at once; callers that arrive meanwhile queue, and the next of them turns every queued flag off in one
 * {@link FlagProvider#killSwitchAll} call. One rollback waits for nothing; a hundred rollbacks in the same second take
 * a few provider calls instead of a hundred in a row. When the group call fails, each flag gets its own call, so one
 * broken flag never keeps the others on.
 */
final class KillSwitchBatcher {
  private record Pending(FlagTarget flag, CompletableFuture<FlagChange> done) {}

  private final ReentrantLock committing = new ReentrantLock();
  private final ConcurrentLinkedQueue<Pending> queued = new ConcurrentLinkedQueue<>();

  FlagChange killSwitch(FlagProvider provider, FlagTarget flag) {
    Pending mine = new Pending(flag, new CompletableFuture<>());
    queued.add(mine);
    committing.lock();
    try {
      if (!mine.done().isDone()) commit(provider);
    } finally {
      committing.unlock();
    }
    try {
      return mine.done().join();
    } catch (CompletionException e) {
      throw e.getCause() instanceof RuntimeException r ? r : e;
    }
  }

  private void commit(FlagProvider provider) {
    List<Pending> group = new ArrayList<>();
    for (Pending p; (p = queued.poll()) != null; ) group.add(p);
    if (group.size() > 1) {
      try {
        List<FlagChange> changes = provider.killSwitchAll(group.stream().map(Pending::flag).toList());
        for (int i = 0; i < group.size(); i++) group.get(i).done().complete(changes.get(i));
        return;
      } catch (RuntimeException groupFailed) {
        // one at a time below: each flag's own outcome, each caller its own error
      }
    }
    for (Pending p : group) {
      try {
        p.done().complete(provider.killSwitch(p.flag()));
      } catch (RuntimeException e) {
        p.done().completeExceptionally(e);
      }
    }
  }
}
