package dev.ringmaster.analysis;

import dev.ringmaster.definition.RolloutDefinition.Tripwire;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tripwire checks of one soak: every {@code tripwire-every} each tripwire is read ({@link MetricSource#readLatest})
 * and judged ({@link TripwireRun}); the first to trip completes {@link #tripped()}, which {@code WatchSoak} is waiting
 * on alongside its interval. The checks run on one scheduler shared by every soak of the process and add nothing to
 * the workflow history; each takes its queries from the connection's {@link QueryBudget} or is skipped.
 * ({@code TripwireTest} covers it over a scripted source, {@code GateScenarios} on a real Prometheus and openmetrics.)
 */
final class TripwireWatch implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(TripwireWatch.class);
  private static final ScheduledExecutorService SCHEDULER = scheduler();

  private final String soak;
  private final MetricSource source;
  private final QueryBudget budget;
  private final Supplier<Instant> now;
  private final TripwireRun[] runs;
  private final CompletableFuture<TripwireRun> tripped = new CompletableFuture<>();
  private final ScheduledFuture<?> task;
  private final int queries;
  private final double queriesPerSecond;
  private int skipped;
  private int due; // ticks since the last check

  private TripwireWatch(String soak, List<Tripwire> tripwires, MetricSource source, TripwireSettings settings, QueryBudget budget,
      Supplier<Instant> now) {
    this.soak = soak;
    this.source = source;
    this.budget = budget;
    this.now = now;
    this.runs = tripwires.stream().map(TripwireRun::start).toArray(TripwireRun[]::new);
    this.queries = tripwires.stream().mapToInt(Tripwire::queries).sum();
    long every = settings.every().toMillis();
    this.queriesPerSecond = queries * 1000.0 / every;
    budget.join(queriesPerSecond);
    this.task = SCHEDULER.scheduleAtFixedRate(this::check, every, every, TimeUnit.MILLISECONDS);
  }

  /** Starts checking every {@code settings.every()}; {@link #close()} stops. */
  static TripwireWatch start(String soak, List<Tripwire> tripwires, MetricSource source, TripwireSettings settings, QueryBudget budget,
      Supplier<Instant> now) {
    return new TripwireWatch(soak, tripwires, source, settings, budget, now);
  }

  /** Completes with the run that tripped; never completes otherwise. */
  CompletableFuture<TripwireRun> tripped() {
    return tripped;
  }

  /** The verdict of a tripped watch: FAILED, with every check of the run that crossed the line. */
  SoakVerdict verdict(SoakSummary summary) {
    TripwireRun run = tripped.join();
    return new SoakVerdict(Outcome.FAILED, run.reason(), new Measurement(now.get(), Outcome.FAILED, run.crossing()), summary);
  }

  /** What every tripwire saw so far, for the soak's verdict. */
  synchronized String tally() {
    return "tripwires " + java.util.Arrays.stream(runs).map(TripwireRun::tally).collect(Collectors.joining("; "))
        + (skipped > 0 ? "; " + skipped + " check(s) skipped at the connection's cap of " + budget.perSecond() + " queries/s" : "");
  }

  /** One tick: every tripwire once, unless the connection's cap says to wait (then the next tick tries again). */
  private void check() {
    try {
      synchronized (this) {
        if (++due < budget.stretch() || !budget.tryTake(queries)) {
          skipped++;
          return;
        }
        due = 0;
      }
      for (int i = 0; i < runs.length && !tripped.isDone(); i++) {
        Tripwire t = runs[i].tripwire();
        MetricReading reading = null;
        String error = null;
        try {
          reading = source.readLatest(t.asMetric());
        } catch (RuntimeException e) {
          error = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        }
        TripwireRun run;
        synchronized (this) {
          runs[i] = run = runs[i].after(runs[i].judge(reading, error));
        }
        if (run.tripped()) {
          log.warn("{}: {}", soak, run.reason());
          tripped.complete(run);
        } else if (run.crossing().size() == 1) {
          log.info("{}: tripwire {} crossed once: {}", soak, t.name(), run.crossing().get(0));
        }
      }
    } catch (RuntimeException e) {
      log.error("{}: a tripwire check failed; the next one runs as planned", soak, e); // a thrown task would stop repeating
    }
  }

  @Override
  public void close() {
    if (task.cancel(false)) budget.release(queriesPerSecond);
  }

  private static ScheduledExecutorService scheduler() {
    AtomicInteger n = new AtomicInteger();
    ScheduledThreadPoolExecutor s = new ScheduledThreadPoolExecutor(16, r -> {
      Thread t = new Thread(r, "tripwire-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    s.setRemoveOnCancelPolicy(true);
    return s;
  }
}
