package dev.ringmaster.deploy;

import java.util.Optional;

/** Ships versions of a service to its platform. Deploys wait until the version is really serving. */
public interface Deployer {

  /** The version running now, captured before the deploy so the rollback can put it back; empty when none runs. */
  Optional<String> currentVersion(DeployTarget target);

  /** Deploy {@code version} (feature flag off) and wait until it is ready. Deploying the running version is a no-op. */
  DeployOutcome deploy(DeployTarget target, String version);

  /** Put {@code previousVersion} back and wait until it is ready. */
  DeployOutcome rollback(DeployTarget target, String previousVersion);
}
