package dev.ringmaster.analysis;

import dev.ringmaster.connection.Adapters;
import dev.ringmaster.definition.RolloutDefinition.Analysis;
import dev.ringmaster.definition.RolloutDefinition.Metric;
import dev.ringmaster.pipeline.TaskQueues;
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
  public void checkGates(AnalysisStep step) {
    MetricSource source = sources.forConnection(step.analysis().connection());
    for (Metric m : step.analysis().metrics()) source.check(m);
  }

  @Override
  public Measurement measureGates(AnalysisStep step) {
    return measure(step.analysis());
  }

  /** State carried in heartbeats, so a retry after a worker crash resumes the soak instead of restarting it. */
  record Progress(int consecutiveFailures, int consecutiveInconclusive, SoakSummary summary) {}

  @Override
  public SoakVerdict watchSoak(SoakRequest request) {
    ActivityExecutionContext ctx = Activity.getExecutionContext();
    Analysis a = request.analysis();
    Progress p = ctx.getHeartbeatDetails(Progress.class).orElse(new Progress(0, 0, SoakSummary.EMPTY));
    try {
      while (true) {
        Instant next = clock.now().plus(a.interval());
        boolean last = !next.isBefore(request.soakEndsAt());
        clock.sleepUntil(last ? request.soakEndsAt() : next, () -> ctx.heartbeat(null));
        Measurement m = measure(a);
        SoakSummary summary = p.summary().with(m);
        int failures = m.outcome().countsAsFailure() ? p.consecutiveFailures() + 1 : 0;
        int inconclusive = m.outcome() == Outcome.INCONCLUSIVE ? p.consecutiveInconclusive() + 1 : 0;
        p = new Progress(failures, inconclusive, summary);
        ctx.heartbeat(p);
        if (failures >= a.failureLimit()) {
          return verdict(request, Outcome.FAILED, failures + " consecutive " + m.outcome() + " measurement(s), failureLimit " + a.failureLimit(), m, summary);
        }
        if (inconclusive >= a.inconclusiveLimit()) {
          return verdict(request, Outcome.INCONCLUSIVE, inconclusive + " consecutive INCONCLUSIVE measurement(s), inconclusiveLimit " + a.inconclusiveLimit(), m, summary);
        }
        if (last) {
          return m.outcome() == Outcome.PASSED
              ? verdict(request, Outcome.PASSED, "soaked green: " + summary.measurements() + " measurement(s)", m, summary)
              : verdict(request, Outcome.INCONCLUSIVE, "soak ended on a " + m.outcome() + " measurement; not promoting without a pass", m, summary);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("soak watch interrupted", e);
    }
  }

  private static SoakVerdict verdict(SoakRequest r, Outcome o, String reason, Measurement m, SoakSummary s) {
    log.info("{}: ring {} soak verdict {}: {} — {}", r.rolloutId(), r.ring(), o, reason, m.describe());
    return new SoakVerdict(o, reason, m, s);
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
