package dev.ringmaster.flags;

import java.time.Duration;

/**
 * What a flag activity changed, as it appears in the rollout history: the action, the audience now enabled, the
 * provider's own reference for the change (event id, file revision) and how long the provider took to acknowledge.
 */
public record FlagChange(String flagKey, String action, String audience, String providerRef, Duration acknowledgedIn) {}
