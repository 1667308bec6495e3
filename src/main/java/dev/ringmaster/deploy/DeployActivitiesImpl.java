package dev.ringmaster.deploy;

import dev.ringmaster.TaskQueues;
import dev.ringmaster.connection.Adapters;
import dev.ringmaster.connection.Heartbeats;
import io.temporal.spring.boot.ActivityImpl;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

@Component
@ActivityImpl(taskQueues = TaskQueues.ROLLOUTS)
class DeployActivitiesImpl implements DeployActivities {
  private static final Logger log = LoggerFactory.getLogger(DeployActivitiesImpl.class);
  private final Adapters<Deployer> deployers;

  DeployActivitiesImpl(Adapters<Deployer> deployers) {
    this.deployers = deployers;
  }

  @Override
  public String captureCurrentVersion(DeployTarget target) {
    String current = deployers.forConnection(target.connection()).currentVersion(target).orElse("");
    log.info("{}: {} currently runs version '{}'", target.rolloutId(), target.service(), current);
    return current;
  }

  @Override
  public DeployOutcome deployVersion(DeployTarget target, String previousVersion, String version) {
    DeployOutcome o = Heartbeats.whileRunning(() -> deployers.forConnection(target.connection()).deploy(target, version));
    log.info("{}: deployed {} {} (was '{}') ready in {} ms", target.rolloutId(), target.service(), version, previousVersion,
        o.timeToReady().toMillis());
    return new DeployOutcome(previousVersion, o.version(), o.timeToReady(), o.output());
  }

  @Override
  public DeployOutcome redeployPrevious(DeployTarget target, String previousVersion) {
    DeployOutcome o = Heartbeats.whileRunning(() -> deployers.forConnection(target.connection()).rollback(target, previousVersion));
    log.info("{}: redeployed previous version {} of {}", target.rolloutId(), previousVersion, target.service());
    return o;
  }
}
