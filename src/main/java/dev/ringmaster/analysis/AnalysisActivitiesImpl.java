package dev.ringmaster.analysis;

import dev.ringmaster.TaskQueues;
import dev.ringmaster.analysis.GateEvaluator.Streak;
import dev.ringmaster.connection.Adapters;
import dev.ringmaster.definition.RolloutDefinition.Analysis;
import dev.ringmaster.definition.RolloutDefinition.Metric;
import dev.ringmaster.definition.RolloutDefinition.Tripwire;
import dev.ringmaster.flags.FlagChange;
import dev.ringmaster.flags.KillSwitch;
import io.temporal.activity.Activity;
import io.temporal.activity.ActivityExecutionContext;
import io.temporal.client.WorkflowClient;
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
import org.springframework.beans.factory.annotation.Autowired;
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

  private final KillSwitch killSwitch;
  /** Asked before a FAILED verdict pulls the kill switch; null without a client. */
  private final StillWanted stillWanted;

  /** Without a kill switch: a FAILED soak leaves the flag to the workflow's rollback (tests of the gates alone). */
  public AnalysisActivitiesImpl(Adapters<MetricSource> sources, SoakClock clock) {
    this(sources, clock, null, null);
  }

  /** @param client the client of the server the soaks run on: a FAILED soak asks it before pulling the kill switch */
  @Autowired
  public AnalysisActivitiesImpl(Adapters<MetricSource> sources, SoakClock clock, KillSwitch killSwitch, WorkflowClient client) {
    this.sources = sources;
    this.clock = clock;
    this.killSwitch = killSwitch;
    this.stillWanted = client == null ? null : new StillWanted(client);
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
    Watched w = watch(request);
    return pullIfStillWanted(killSwitch, stillWanted, request, w.verdict(), w.beat());
  }

  /**
   * What {@code WatchSoak} does with its verdict: a FAILED one first asks the server whether the soak is still wanted
   * ({@link StillWanted}: a soak the workflow has cancelled ends as cancelled here, the flag left alone), then pulls
   * the kill switch ({@link #pullOnFailure}). Public for the benchmarks' soak doubles, which go the same way.
   *
   * @param heartbeat the soak's last heartbeat details, sent with the question
   */
  public static SoakVerdict pullIfStillWanted(KillSwitch killSwitch, StillWanted stillWanted, AnalysisRequest request, SoakVerdict v, Object heartbeat) {
    if (stillWanted != null && pulls(killSwitch, request, v)) stillWanted.confirm(request.rolloutId() + " ring " + request.ring(), heartbeat);
    return pullOnFailure(killSwitch, request, v);
  }

  /** A verdict and the heartbeat that goes with it. */
  private record Watched(SoakVerdict verdict, SoakBeat beat) {}

  private static boolean pulls(KillSwitch killSwitch, AnalysisRequest request, SoakVerdict v) {
    return v != null && v.outcome() == Outcome.FAILED && killSwitch != null && request.killSwitch() != null;
  }

  /**
   * A FAILED verdict turns the request's flag off for everyone right here, before the workflow hears of it: the
   * kill switch does not wait for the verdict's trip through the server and a workflow task (with a hundred rollouts
   * failing at once, that queue was most of the kill switch's time). The verdict carries the change, and the
   * rollback records it instead of pulling again. If the provider fails, the verdict goes without it and the
   * rollback's own kill switch (with its retries) does the job.
   */
  public static SoakVerdict pullOnFailure(KillSwitch killSwitch, AnalysisRequest request, SoakVerdict v) {
    if (!pulls(killSwitch, request, v)) return v;
    try {
      FlagChange off = killSwitch.pull(request.killSwitch());
      log.info("{}: KILL SWITCH pulled at the FAILED verdict of ring {}: flag {} off for everyone ({}, acknowledged in {} ms)",
          request.rolloutId(), request.ring(), off.flagKey(), off.providerRef(), off.acknowledgedIn().toMillis());
      return v.withKillSwitch(off);
    } catch (RuntimeException e) {
      log.warn("{}: the kill switch at the FAILED verdict of ring {} failed ({}); the rollback pulls it", request.rolloutId(), request.ring(),
          e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
      return v;
    }
  }

  private Watched watch(AnalysisRequest request) {
    ActivityExecutionContext ctx = Activity.getExecutionContext();
    Analysis a = request.analysis();
    Streak streak = ctx.getHeartbeatDetails(SoakBeat.class).map(SoakBeat::streak).orElse(Streak.START);
    SoakBeat beat = SoakBeat.of(streak); // every heartbeat carries the measurements so far: the API shows them while the soak runs
    try (TripwireWatch tripwires = tripwires(request)) {
      while (true) {
        Instant next = clock.now().plus(a.interval());
        boolean last = !next.isBefore(request.soakEndsAt());
        SoakBeat sofar = beat;
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
            return new Watched(v, beat);
          }
        }
        streak = GateEvaluator.afterMeasurement(streak, m);
        beat = SoakBeat.of(streak);
        ctx.heartbeat(beat);
        SoakVerdict v = GateEvaluator.soakVerdict(a, streak, m, last);
        if (v != null) {
          if (tripwires != null) v = v.withReason(v.reason() + "; " + tripwires.tally());
          log.info("{}: ring {} soak verdict {}: {} — {}", request.rolloutId(), request.ring(), v.outcome(), v.reason(), m.describe());
          return new Watched(v, beat);
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
          either.get(SoakClock.HEARTBEAT_EVERY.toMillis(), TimeUnit.MILLISECONDS);
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
