package dev.ringmaster.deploy.kubernetes;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import java.util.Optional;

/** A Deployment's rollout as {@code kubectl rollout status} reads it: what it still waits for, or why it will not finish. */
final class RolloutProgress {
  private RolloutProgress() {}

  /**
   * What the rollout still waits for, as {@code kubectl rollout status} says it; null when complete.
   * {@code newGeneration} is the generation our change gets (the API server bumps it with every spec change).
   */
  static String waitingFor(Deployment d, long newGeneration) {
    DeploymentStatus s = d.getStatus();
    if (s == null) return "waiting for the Deployment's first status";
    long generation = Optional.ofNullable(d.getMetadata().getGeneration()).orElse(0L);
    if (generation < newGeneration) return "waiting for the API server to record the new spec (generation " + generation + ")";
    long observed = Optional.ofNullable(s.getObservedGeneration()).orElse(0L);
    int replicas = Optional.ofNullable(d.getSpec().getReplicas()).orElse(1);
    int updated = n(s.getUpdatedReplicas());
    if (observed < generation) return "waiting for the new spec to be observed (generation " + generation + ", observed " + observed + ")";
    if (updated < replicas) return updated + " of " + replicas + " replicas updated";
    if (n(s.getReplicas()) > updated) return (n(s.getReplicas()) - updated) + " old replica(s) pending termination";
    if (n(s.getReadyReplicas()) < updated) return n(s.getReadyReplicas()) + " of " + updated + " updated replicas ready";
    if (n(s.getAvailableReplicas()) < updated) return n(s.getAvailableReplicas()) + " of " + updated + " updated replicas available";
    return null;
  }

  /** Kubernetes' own verdict that the rollout will not complete ({@code ProgressDeadlineExceeded}); null when none. */
  static String deadlineExceeded(Deployment d) {
    if (d.getStatus() == null || d.getStatus().getConditions() == null) return null;
    for (DeploymentCondition c : d.getStatus().getConditions()) {
      if ("Progressing".equals(c.getType()) && "ProgressDeadlineExceeded".equals(c.getReason())) return "ProgressDeadlineExceeded: " + c.getMessage();
    }
    return null;
  }

  private static int n(Integer i) {
    return i == null ? 0 : i;
  }
}
