package dev.ringmaster.pipeline;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import dev.ringmaster.definition.RolloutDefinition;
import java.time.Instant;

/**
 * The workflow's input. Visible to everyone with access to the Temporal UI, so it carries connection names and
 * the identity of the triggerer, never a secret. The definition's migration locations are already resolved (absolute
 * or {@code classpath:}) by the API that started it. {@code lastSucceeded} is the rollback target of choice: the last
 * version of this service that went through every ring. Fields no longer used are ignored, so a rollout started by an
 * earlier version (which still carried {@code definitionDir}) replays on this code. {@code triggeredVia}: the entry
 * point the triggerer used ({@code rest}, {@code cli}); null in histories from before it was recorded.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record RolloutRequest(
    String rolloutId,
    RolloutDefinition definition,
    String version,
    String commit,
    String triggeredBy,
    String ciRunUrl,
    Instant requestedAt,
    KnownGood lastSucceeded,
    String triggeredVia) {

  /** The service's last rollout that SUCCEEDED, found by the API when this one started; null when there is none. */
  public record KnownGood(String rolloutId, String version) {}

  public static String rolloutId(String service, String version) {
    return "rollout-" + service + "-" + version;
  }

  public static String domainLeaseId(String domain) {
    return "domain-" + domain;
  }
}
