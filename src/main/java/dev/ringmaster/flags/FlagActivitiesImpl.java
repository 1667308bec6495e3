package dev.ringmaster.flags;

import dev.ringmaster.TaskQueues;
import dev.ringmaster.connection.Adapters;
import dev.ringmaster.definition.Audience;
import io.temporal.spring.boot.ActivityImpl;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

@Component
@ActivityImpl(taskQueues = TaskQueues.ROLLOUTS)
class FlagActivitiesImpl implements FlagActivities {
  private static final Logger log = LoggerFactory.getLogger(FlagActivitiesImpl.class);
  private final Adapters<FlagProvider> providers;

  FlagActivitiesImpl(Adapters<FlagProvider> providers) {
    this.providers = providers;
  }

  @Override
  public FlagChange enableRing(FlagTarget flag, String ring, Audience cumulative) {
    return logged(flag, providers.forConnection(flag.connection()).enable(flag, ring, cumulative));
  }

  @Override
  public FlagChange killSwitch(FlagTarget flag) {
    return logged(flag, providers.forConnection(flag.connection()).killSwitch(flag));
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
