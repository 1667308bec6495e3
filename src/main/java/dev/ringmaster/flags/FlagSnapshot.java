package dev.ringmaster.flags;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * The release flag at its provider as this rollout found it, before its first ring: the result of the
 * {@code CaptureFlagState} activity, so it is kept in the workflow history and a rollback can put it back exactly.
 *
 * @param exists        the provider knows the flag (archived flags exist)
 * @param archived      retired at the provider (Unleash/LaunchDarkly archive; flagd-file {@code metadata.retired})
 * @param fullyReleased on for everyone and retired/archived: an earlier rollout shipped it; a new one is refused
 *                      unless its definition says {@code reuse: true}
 * @param releasedBy    the rollout that released it, when the provider recorded it (else null)
 * @param summary       the state in words, for the status and the history ("on for 2 rules, off otherwise")
 * @param state         the provider's own representation of what Ringmaster may change (JSON), read back by
 *                      {@link FlagProvider#restore}; flag configuration only, never credentials
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record FlagSnapshot(String flagKey, boolean exists, boolean archived, boolean fullyReleased, String releasedBy, String summary, String state) {

  public static FlagSnapshot absent(String key) {
    return new FlagSnapshot(key, false, false, false, null, "did not exist", null);
  }

  /** Who released the flag, in words. */
  public String releaser() {
    return releasedBy == null ? "an earlier rollout" : releasedBy;
  }

  /** Why a rollout that does not say {@code reuse: true} may not use this flag, or null when it may. */
  public String refusal() {
    if (!fullyReleased) return null;
    return "flag " + flagKey + " was fully released by " + releaser() + " (" + summary + "); use a new flag key for a new feature, or set spec.flag.reuse: true to roll this flag out again";
  }
}
