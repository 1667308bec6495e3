package dev.ringmaster.analysis;

import dev.ringmaster.TaskQueues;
import dev.ringmaster.analysis.GateEvaluator.Streak;
import dev.ringmaster.connection.Adapters;
import dev.ringmaster.definition.RolloutDefinition.Analysis;
import dev.ringmaster.definition.RolloutDefinition.Metric;
import dev.ringmaster.definition.RolloutDefinition.Tripwire;
import io.temporal.activity.Activity;
import io.temporal.activity.ActivityExecutionContext;
import io.temporal.spring.boot.ActivityImpl;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

@Component
@ActivityImpl(taskQueues = TaskQueues.ROLLOUTS)
public class AnalysisActivitiesImpl implements AnalysisActivities {
  private static final Logger log = LoggerFactory.getLogger(AnalysisActivitiesImpl.class);
  private final Adapters<MetricSource> sources;
  private final SoakClock clock;
  /** Each metric connection's cap on tripwire queries, shared by every soak in this process. */
  private final Map<String, QueryBudget> budgets = new ConcurrentHashMap<>();
  private static final ExecutorService MEASURING = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "soak-measurement");
    t.setDaemon(true);
    return t;
  });

  public AnalysisActivitiesImpl(Adapters<MetricSource> sources, SoakClock clock) {
    this.sources = sources;
    this.clock = clock;
  }

  @Override
  public void checkGates(AnalysisRequest request) {
    Analysis a = request.analysis();
    MetricSource source = sources.forConnection(a.connection());
    for (Metric m : a.metrics()) source.check(m);
    if (a.tripwires().isEmpty()) return;
    TripwireSettings.of(sources.connection(a.connection()));
    for (Tripwire t : a.tripwires()) source.check(t.asMetric());
  }

  @Override
  public Measurement measureGates(AnalysisRequest request) {
    return measure(request.analysis(), request.baseline());
  }

  /**
   * Measures every interval until the soak ends or a limit is reached, and checks the tripwires (if any) every
   * {@code tripwire-every} meanwhile; the streak survives retries in heartbeats.
   */
  @Override
  public SoakVerdict watchSoak(AnalysisRequest request) {
    ActivityExecutionContext ctx = Activity.getExecutionContext();
    Analysis a = request.analysis();
    Streak streak = ctx.getHeartbeatDetails(Streak.class).orElse(Streak.START);
    try (TripwireWatch tripwires = tripwires(request)) {
      while (true) {
        Instant next = clock.now().plus(a.interval());
        boolean last = !next.isBefore(request.soakEndsAt());
        Streak sofar = streak; // every heartbeat carries the measurements so far: the API shows them while the soak runs
        Runnable heartbeat = () -> ctx.heartbeat(sofar);
        Measurement m;
        if (tripwires == null) {
          clock.sleepUntil(last ? request.soakEndsAt() : next, heartbeat);
          m = measure(a, request.baseline());
        } else {
          clock.sleepUntil(last ? request.soakEndsAt() : next, heartbeat, tripwires.tripped());
          m = tripwires.tripped().isDone() ? null : measureWatching(a, request.baseline(), tripwires, heartbeat);
          if (m == null) {
            SoakVerdict v = tripwires.verdict(streak.summary());
            log.info("{}: ring {} soak verdict {}: {} — {}", request.rolloutId(), request.ring(), v.outcome(), v.reason(), v.deciding().describe());
            return v;
          }
        }
        streak = GateEvaluator.afterMeasurement(streak, m);
        ctx.heartbeat(streak);
        SoakVerdict v = GateEvaluator.soakVerdict(a, streak, m, last);
        if (v != null) {
          if (tripwires != null) v = new SoakVerdict(v.outcome(), v.reason() + "; " + tripwires.tally(), v.deciding(), v.summary());
          log.info("{}: ring {} soak verdict {}: {} — {}", request.rolloutId(), request.ring(), v.outcome(), v.reason(), m.describe());
          return v;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("soak watch interrupted", e);
    }
  }

  /** The soak's tripwires, checking from now on; null without tripwires. */
  private TripwireWatch tripwires(AnalysisRequest request) {
    Analysis a = request.analysis();
    if (a.tripwires().isEmpty()) return null;
    TripwireSettings settings = TripwireSettings.of(sources.connection(a.connection()));
    QueryBudget budget = budgets.computeIfAbsent(a.connection(), c -> new QueryBudget(settings.maxQueriesPerSecond()));
    return TripwireWatch.start(request.rolloutId() + " ring " + request.ring(), a.tripwires(), sources.forConnection(a.connection()), settings,
        budget, clock::now);
  }

  /**
   * One interval measurement on another thread (an openmetrics one waits out its scrape window), while this one keeps
   * heartbeating and watching the tripwires: null when a tripwire trips first.
   */
  private Measurement measureWatching(Analysis a, ControlBaseline baseline, TripwireWatch tripwires, Runnable heartbeat) throws InterruptedException {
    CompletableFuture<Measurement> measured = new CompletableFuture<>();
    Future<?> task = MEASURING.submit(() -> {
      try {
        measured.complete(measure(a, baseline));
      } catch (Throwable t) {
        measured.completeExceptionally(t);
      }
    });
    CompletableFuture<Object> either = CompletableFuture.anyOf(measured, tripwires.tripped());
    try {
      while (!either.isDone()) {
        heartbeat.run();
        try {
          either.get(1, TimeUnit.SECONDS);
        } catch (TimeoutException | ExecutionException e) {
          // heartbeat again, or it is done
        }
      }
      return tripwires.tripped().isDone() ? null : measured.join();
    } finally {
      task.cancel(true);
    }
  }

  private Measurement measure(Analysis a, ControlBaseline baseline) {
    MetricSource source = sources.forConnection(a.connection());
    Map<String, MetricReading> readings = new LinkedHashMap<>();
    Map<String, String> errors = new LinkedHashMap<>();
    for (Metric m : a.metrics()) {
      try {
        readings.put(m.name(), source.read(m));
      } catch (RuntimeException e) {
        errors.put(m.name(), e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
      }
    }
    return GateEvaluator.evaluate(a, readings, errors, clock.now(), baseline);
  }
}
