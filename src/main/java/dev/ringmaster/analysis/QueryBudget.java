package dev.ringmaster.analysis;

/** A token bucket: at most {@code perSecond} queries in any second, refilled continuously; never waits. */
final class QueryBudget {
  private final int perSecond;
  private double tokens;
  private long refilledAt = System.nanoTime();

  QueryBudget(int perSecond) {
    this.perSecond = perSecond;
    this.tokens = perSecond;
  }

  int perSecond() {
    return perSecond;
  }

  /** Takes {@code n} tokens if there are that many now. */
  synchronized boolean tryTake(int n) {
    long now = System.nanoTime();
    tokens = Math.min(perSecond, tokens + (now - refilledAt) / 1e9 * perSecond);
    refilledAt = now;
    if (tokens < n) return false;
    tokens -= n;
    return true;
  }
}
