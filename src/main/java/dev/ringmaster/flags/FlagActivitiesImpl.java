package dev.ringmaster.flags;

import dev.ringmaster.TaskQueues;
import dev.ringmaster.connection.Adapters;
import dev.ringmaster.connection.PermanentFailure;
import dev.ringmaster.definition.Audience;
import io.temporal.spring.boot.ActivityImpl;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.Timer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

@Component
@ActivityImpl(taskQueues = TaskQueues.ROLLOUTS)
class FlagActivitiesImpl implements FlagActivities, KillSwitch {
  private static final Logger log = LoggerFactory.getLogger(FlagActivitiesImpl.class);
  private final Adapters<FlagProvider> providers;
  private final Map<String, KillSwitchBatcher> killSwitches = new ConcurrentHashMap<>();

  FlagActivitiesImpl(Adapters<FlagProvider> providers) {
    this.providers = providers;
  }

  @Override
  public FlagSnapshot captureFlagState(FlagTarget flag, boolean reuse) {
    FlagSnapshot s = providers.forConnection(flag.connection()).capture(flag);
    log.info("{}: flag {} before this rollout: {}", flag.rolloutId(), flag.key(), s.summary());
    String refusal = s.refusal();
    if (refusal != null && !reuse) throw new PermanentFailure(refusal);
    return s;
  }

  @Override
  public FlagChange restoreFlag(FlagTarget flag, FlagSnapshot prior) {
    return logged(flag, providers.forConnection(flag.connection()).restore(flag, prior));
  }

  @Override
  public FlagChange enableRing(FlagTarget flag, String ring, Audience cumulative) {
    return logged(flag, providers.forConnection(flag.connection()).enable(flag, ring, cumulative));
  }

  @Override
  public FlagChange killSwitch(FlagTarget flag) {
    long start = System.nanoTime();
    String outcome = "failed";
    try {
      FlagProvider provider = providers.forConnection(flag.connection());
      FlagChange change = logged(flag, killSwitches.computeIfAbsent(flag.connection(), c -> new KillSwitchBatcher()).killSwitch(provider, flag));
      outcome = "ok";
      return change;
    } finally {
      // Spring Boot adds its registries to the global one: the histogram is on /actuator/prometheus.
      Timer.builder("ringmaster.kill.switch").description("Kill-switch calls to the flag provider (flag off for everyone), by connection and outcome")
          .tag("connection", flag.connection()).tag("outcome", outcome).publishPercentileHistogram().register(Metrics.globalRegistry)
          .record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
    }
  }

  @Override
  public FlagChange pull(FlagTarget flag) {
    return killSwitch(flag);
  }

  @Override
  public FlagChange removeRingRules(FlagTarget flag) {
    return logged(flag, providers.forConnection(flag.connection()).removeRules(flag));
  }

  @Override
  public FlagChange retireFlag(FlagTarget flag) {
    return logged(flag, providers.forConnection(flag.connection()).retire(flag));
  }

  private static FlagChange logged(FlagTarget flag, FlagChange change) {
    log.info("{}: flag {} {} → {} (ref {}, acknowledged in {} ms)", flag.rolloutId(), change.flagKey(), change.action(),
        change.audience(), change.providerRef(), change.acknowledgedIn().toMillis());
    return change;
  }
}
