package dev.ringmaster.analysis;

import dev.ringmaster.TaskQueues;
import dev.ringmaster.analysis.GateEvaluator.Streak;
import dev.ringmaster.connection.Adapters;
import dev.ringmaster.definition.RolloutDefinition.Analysis;
import dev.ringmaster.definition.RolloutDefinition.Metric;
import io.temporal.activity.Activity;
import io.temporal.activity.ActivityExecutionContext;
import io.temporal.spring.boot.ActivityImpl;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

@Component
@ActivityImpl(taskQueues = TaskQueues.ROLLOUTS)
public class AnalysisActivitiesImpl implements AnalysisActivities {
  private static final Logger log = LoggerFactory.getLogger(AnalysisActivitiesImpl.class);
  private final Adapters<MetricSource> sources;
  private final SoakClock clock;

  public AnalysisActivitiesImpl(Adapters<MetricSource> sources, SoakClock clock) {
    this.sources = sources;
    this.clock = clock;
  }

  @Override
  public void checkGates(AnalysisRequest request) {
    MetricSource source = sources.forConnection(request.analysis().connection());
    for (Metric m : request.analysis().metrics()) source.check(m);
  }

  @Override
  public Measurement measureGates(AnalysisRequest request) {
    return measure(request.analysis());
  }

  /** Measures every interval until the soak ends or a limit is reached; the streak survives retries in heartbeats. */
  @Override
  public SoakVerdict watchSoak(AnalysisRequest request) {
    ActivityExecutionContext ctx = Activity.getExecutionContext();
    Analysis a = request.analysis();
    Streak streak = ctx.getHeartbeatDetails(Streak.class).orElse(Streak.START);
    try {
      while (true) {
        Instant next = clock.now().plus(a.interval());
        boolean last = !next.isBefore(request.soakEndsAt());
        Streak sofar = streak; // every heartbeat carries the measurements so far: the API shows them while the soak runs
        clock.sleepUntil(last ? request.soakEndsAt() : next, () -> ctx.heartbeat(sofar));
        Measurement m = measure(a);
        streak = GateEvaluator.afterMeasurement(streak, m);
        ctx.heartbeat(streak);
        SoakVerdict v = GateEvaluator.soakVerdict(a, streak, m, last);
        if (v != null) {
          log.info("{}: ring {} soak verdict {}: {} — {}", request.rolloutId(), request.ring(), v.outcome(), v.reason(), m.describe());
          return v;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("soak watch interrupted", e);
    }
  }

  private Measurement measure(Analysis a) {
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
    return GateEvaluator.evaluate(a, readings, errors, clock.now());
  }
}
