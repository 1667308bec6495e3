package dev.ringmaster.pipeline;

import dev.ringmaster.definition.RolloutDefinition;
import java.time.Instant;

/**
 * The workflow's input. Visible to everyone with access to the Temporal UI, so it carries connection names and
 * the identity of the triggerer, never a secret. {@code definitionDir} resolves relative migration locations.
 */
public record RolloutRequest(
    String rolloutId,
    RolloutDefinition definition,
    String definitionDir,
    String version,
    String commit,
    String triggeredBy,
    String ciRunUrl,
    Instant requestedAt) {

  public static String rolloutId(String service, String version) {
    return "rollout-" + service + "-" + version;
  }

  public static String domainLeaseId(String domain) {
    return "domain-" + domain;
  }
}
