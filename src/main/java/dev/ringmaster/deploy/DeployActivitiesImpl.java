package dev.ringmaster.deploy;

import dev.ringmaster.TaskQueues;
import dev.ringmaster.connection.Adapters;
import dev.ringmaster.connection.ConnectionRegistry;
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

  private final ConnectionRegistry connections;

  DeployActivitiesImpl(Adapters<Deployer> deployers, ConnectionRegistry connections) {
    this.deployers = deployers;
    this.connections = connections;
  }

  /** The target with the connection's pinned fields filled in, checked once more against its constraints. */
  private DeployTarget constrained(DeployTarget t) {
    return connections.find(t.connection())
        .map(c -> new DeployTarget(t.connection(), t.rolloutId(), t.service(), c.scope().apply(t.target())))
        .orElse(t);
  }

  @Override
  public String captureCurrentVersion(DeployTarget requested) {
    DeployTarget target = constrained(requested);
    String current = deployers.forConnection(target.connection()).currentVersion(target).orElse("");
    log.info("{}: {} currently runs version '{}'", target.rolloutId(), target.service(), current);
    return current;
  }

  @Override
  public DeployOutcome deployVersion(DeployTarget requested, String previousVersion, String version) {
    DeployTarget target = constrained(requested);
    DeployOutcome o = Heartbeats.whileRunning(() -> deployers.forConnection(target.connection()).deploy(target, version));
    log.info("{}: deployed {} {} (was '{}') ready in {} ms", target.rolloutId(), target.service(), version, previousVersion,
        o.timeToReady().toMillis());
    return new DeployOutcome(previousVersion, o.version(), o.timeToReady(), o.output());
  }

  @Override
  public DeployOutcome redeployPrevious(DeployTarget requested, String previousVersion) {
    DeployTarget target = constrained(requested);
    DeployOutcome o = Heartbeats.whileRunning(() -> deployers.forConnection(target.connection()).rollback(target, previousVersion));
    log.info("{}: redeployed previous version {} of {}", target.rolloutId(), previousVersion, target.service());
    return o;
  }
}
