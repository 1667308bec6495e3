package dev.ringmaster.deploy;

import java.util.Map;

/** What to deploy where: the connection, the rollout (for idempotency keys and annotations) and adapter-specific target fields. */
public record DeployTarget(String connection, String rolloutId, String service, Map<String, String> target) {
  public DeployTarget {
    target = Map.copyOf(target);
  }
}
