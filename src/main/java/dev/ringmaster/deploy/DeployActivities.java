package dev.ringmaster.deploy;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

@ActivityInterface
public interface DeployActivities {
  /** The version running before this rollout; empty string when nothing runs yet. */
  @ActivityMethod(name = "CaptureCurrentVersion")
  String captureCurrentVersion(DeployTarget target);

  @ActivityMethod(name = "DeployVersion")
  DeployOutcome deployVersion(DeployTarget target, String previousVersion, String version);

  @ActivityMethod(name = "RedeployPrevious")
  DeployOutcome redeployPrevious(DeployTarget target, String previousVersion);
}
