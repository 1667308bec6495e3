package dev.ringmaster.analysis;

/**
 * One metric connection's cap on tripwire queries, shared by the soaks of this process: at most {@code perSecond}
 * queries in any second. Fair when over-subscribed: while the watching soaks together want more than the cap, each
 * checks only every {@link #stretch()}-th time it is due, so all of them slow down alike; a token bucket catches the
 * bursts that remain. Never waits.
 */
final class QueryBudget {
  private final int perSecond;
  private double tokens;
  private long refilledAt = System.nanoTime();
  private double demand;

  QueryBudget(int perSecond) {
    this.perSecond = perSecond;
    this.tokens = perSecond;
  }

  int perSecond() {
    return perSecond;
  }

  /** A soak starts watching, wanting {@code queriesPerSecond}; {@link #release} when it stops. */
  synchronized void join(double queriesPerSecond) {
    demand += queriesPerSecond;
  }

  synchronized void release(double queriesPerSecond) {
    demand = Math.max(0, demand - queriesPerSecond);
  }

  /** How many times slower than planned each soak checks now: 1 while the demand fits the cap. */
  synchronized double stretch() {
    return Math.max(1, demand / perSecond);
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
