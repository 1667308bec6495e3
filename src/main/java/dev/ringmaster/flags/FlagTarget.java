package dev.ringmaster.flags;

import java.time.LocalDate;

/** Which flag, on which connection, for which rollout; owner and expiry are for providers that record them. */
public record FlagTarget(String connection, String key, String rolloutId, String owner, LocalDate expires) {}
